import { useState } from 'react';
import type { JobAction, JobDetailResponse, JobLink, MetaResponse } from '../../shared/api-types.js';
import { ErrorBox, JobStateBadge, Loading, Notice, PageHeader, StateBadge, Time } from '../components/common.js';
import { AttemptLogs, ProgressBar } from '../components/attempt-report.js';
import { useConfirm, type ConfirmOptions } from '../components/confirm-dialog.js';
import { JsonTree } from '../components/json-tree.js';
import { PayloadViewer } from '../components/payload-viewer.js';
import { Link } from '../router.js';
import { ApiError } from '../services/api-client.js';
import { formatDuration } from '../services/format.js';
import { actionLabels, getJob, runJobAction } from '../services/jobs.js';
import { useApi } from '../use-api.js';

/** One job: state, timings, every attempt, payloads, neighbours, and what can be done to it. */
export function JobPage({ id, meta }: { id: string; meta: MetaResponse | undefined }) {
  // Progress and log lines move no change counter of the event stream: polled while live too.
  const job = useApi((signal) => getJob(id, signal), [id], { refreshMs: 3_000, pollWhileLive: true });
  const [outcome, setOutcome] = useState<{ kind: 'success' | 'error'; text: string } | undefined>();
  const [busy, setBusy] = useState<JobAction | undefined>();
  const { dialog, ask } = useConfirm();

  const act = async (action: JobAction) => {
    if (!(await ask(confirmations(id)[action]))) return;
    setBusy(action);
    try {
      const result = await runJobAction(id, action);
      setOutcome({ kind: 'success', text: result.message });
      job.reload();
    } catch (error) {
      const message = error instanceof ApiError && error.status === 401 ? `${error.message}` : (error as Error).message;
      setOutcome({ kind: 'error', text: message });
    } finally {
      setBusy(undefined);
    }
  };

  if (job.error && !job.data) return <ErrorBox error={job.error} title={`Job ${id}`} />;
  if (!job.data) return <Loading what={`job ${id}`} />;
  const { job: detail, timings, attempts, actions } = job.data;
  const readOnly = meta?.readOnly ?? false;
  const available = (Object.keys(actionLabels) as JobAction[]).filter((action) => actions[action === 'run-now' ? 'runNow' : action]);

  return (
    <>
      <PageHeader
        title={
          <>
            <span className="mono">{detail.type}</span> <span className="muted">:</span> <span className="mono">{detail.key}</span>
          </>
        }
        subtitle={
          <>
            Job {detail.id} · <JobStateBadge job={detail} /> · attempt {detail.attempts} of {detail.maxAttempts}
          </>
        }
        actions={
          <>
            {available.map((action) => (
              <button
                key={action}
                type="button"
                className={`button ${action === 'cancel' ? 'button-danger' : action === 'retry' ? 'button-primary' : ''}`}
                disabled={busy !== undefined || readOnly}
                title={readOnly ? 'The admin server is read-only (no JOBBY_ADMIN_TOKEN configured)' : undefined}
                onClick={() => void act(action)}
              >
                {busy === action ? `${actionLabels[action]}…` : actionLabels[action]}
              </button>
            ))}
            <Link to={`/jobs/${detail.id}/graph`} className="button">Workflow graph</Link>
          </>
        }
      />
      {dialog}
      {outcome ? <Notice kind={outcome.kind}>{outcome.text}</Notice> : null}
      {job.error ? <ErrorBox error={job.error} title="Refresh failed" /> : null}

      <div className="grid-2">
        <section className="card" aria-labelledby="summary-title">
          <header className="card-header">
            <h2 id="summary-title">Summary</h2>
          </header>
          <dl className="facts">
            <dt>Type</dt>
            <dd><Link to={`/types/${encodeURIComponent(detail.type)}`} className="mono">{detail.type}</Link> <span className="muted">({detail.typeId})</span></dd>
            <dt>Key</dt>
            <dd className="mono break">{detail.key}</dd>
            <dt>Priority</dt>
            <dd>{detail.priority}</dd>
            <dt>Worker</dt>
            <dd className="mono small">{detail.workerId ?? <span className="muted">–</span>}</dd>
            <dt>Created</dt>
            <dd><Time iso={detail.createdAt} /></dd>
            <dt>Run at</dt>
            <dd><Time iso={detail.runAt} /></dd>
            <dt>Ready</dt>
            <dd><Time iso={detail.readyAt} /></dd>
            <dt>Started</dt>
            <dd><Time iso={detail.startedAt} /></dd>
            <dt>Finished</dt>
            <dd><Time iso={detail.finishedAt} /></dd>
            {detail.state === 'running' ? (
              <>
                <dt>Lease until</dt>
                <dd><Time iso={detail.leaseExpiresAt} /></dd>
              </>
            ) : null}
            {detail.expiresAt ? (
              <>
                <dt>Pruned after</dt>
                <dd><Time iso={detail.expiresAt} /></dd>
              </>
            ) : null}
          </dl>
        </section>
        <section className="card" aria-labelledby="timings-title">
          <header className="card-header">
            <h2 id="timings-title">Timings</h2>
          </header>
          <dl className="facts timings" data-testid="timings">
            <dt>Wait <span className="muted small">created → ready</span></dt>
            <dd>{formatDuration(timings.waitMs)}</dd>
            <dt>Queue delay <span className="muted small">ready → first start</span></dt>
            <dd>{formatDuration(timings.queueDelayMs)}</dd>
            <dt>Run time <span className="muted small">{detail.state === 'running' ? 'so far' : 'latest attempt'}</span></dt>
            <dd>{formatDuration(timings.runMs)}</dd>
            <dt>Total <span className="muted small">created → finished</span></dt>
            <dd>{formatDuration(timings.totalMs)}</dd>
          </dl>
          {detail.pendingDependencies > 0 ? <p className="muted small">Waiting on {detail.pendingDependencies} of {detail.dependencyCount} dependencies.</p> : null}
        </section>
      </div>

      {detail.error ? (
        <section className="card card-error" aria-labelledby="error-title">
          <header className="card-header">
            <h2 id="error-title">Last error</h2>
            <span className="mono small">{detail.error.code}</span>
          </header>
          <p className="error-message">{detail.error.message}</p>
          {detail.error.details ? (
            <div className="payload-body error-details">
              <JsonTree value={detail.error.details} search={undefined} filter={false} label="Error details" />
            </div>
          ) : null}
          {detail.error.stack ? <pre className="code stack">{detail.error.stack}</pre> : null}
        </section>
      ) : null}

      {job.data.audit.length > 0 ? (
        <section className="card" aria-labelledby="audit-title">
          <header className="card-header">
            <h2 id="audit-title">Admin actions</h2>
            <span className="muted small">who changed this job through the admin, newest first</span>
          </header>
          <div className="table-wrap">
            <table className="table" data-testid="audit-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {job.data.audit.map((entry, index) => (
                  <tr key={`${entry.at}-${index}`}>
                    <td className="nowrap"><Time iso={entry.at} /></td>
                    <td>{entry.actor}</td>
                    <td>{auditLabels[entry.action] ?? entry.action}</td>
                    <td className="small muted">{describeDetails(entry.details)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}

      <section className="card" aria-labelledby="attempts-title">
        <header className="card-header">
          <h2 id="attempts-title">Attempts</h2>
        </header>
        {attempts.length === 0 ? (
          <p className="muted">Not started yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="attempts-table">
              <thead>
                <tr>
                  <th scope="col" className="num">#</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Started</th>
                  <th scope="col">Ended</th>
                  <th scope="col" className="num">Duration</th>
                  <th scope="col">Progress</th>
                  <th scope="col">Worker</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {attempts.map((attempt, index) => (
                  <tr key={attempt.number} className={index > 0 && attempt.cycle !== attempts[index - 1]!.cycle ? 'cycle-start' : undefined}>
                    <td className="num nowrap" title={`attempt ${attempt.attempt} of run ${attempt.cycle}`}>
                      {index > 0 && attempt.cycle !== attempts[index - 1]!.cycle ? <span className="cycle-tag">run again</span> : null}#{attempt.number}
                    </td>
                    <td><span className={`outcome outcome-${attempt.outcome}`}>{attempt.outcome.replace('_', ' ')}</span></td>
                    <td className="nowrap"><Time iso={attempt.startedAt} /></td>
                    <td className="nowrap"><Time iso={attempt.finishedAt} /></td>
                    <td className="num nowrap">{formatDuration(attempt.durationMs)}</td>
                    <td><ProgressBar fraction={attempt.progress} message={attempt.progressMessage} /></td>
                    <td className="mono small">{attempt.workerId ?? '–'}</td>
                    <td className="attempt-error">
                      {attempt.error ? (
                        attempt.error.stack ? (
                          <details>
                            <summary>{attempt.error.message}</summary>
                            <pre className="code stack">{attempt.error.stack}</pre>
                          </details>
                        ) : (
                          attempt.error.message
                        )
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <AttemptLogs attempts={attempts} omitted={job.data.logsOmitted} />

      <div className="grid-2">
        <PayloadViewer title="Input" payload={job.data.input} empty="No input." />
        <PayloadViewer title="Output" payload={job.data.output} empty={detail.state === 'succeeded' ? 'The handler returned nothing.' : 'No output yet.'} />
      </div>

      <div className="grid-2">
        <Neighbours title="Depends on" links={job.data.dependencies} empty="No dependencies." />
        <Neighbours title="Needed by" links={job.data.dependents} empty="No job depends on this one." />
      </div>
    </>
  );
}

function Neighbours({ title, links, empty }: { title: string; links: JobDetailResponse['dependencies']; empty: string }) {
  return (
    <section className="card" aria-label={title}>
      <header className="card-header">
        <h2>{title}</h2>
        {links.total > 0 ? <span className="muted small">{links.total}</span> : null}
      </header>
      {links.jobs.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul className="link-list">
          {links.jobs.map((link: JobLink) => (
            <li key={link.id}>
              <StateBadge state={link.state} /> <Link to={`/jobs/${link.id}`} className="mono">{link.type}:{link.key}</Link>
            </li>
          ))}
          {links.total > links.jobs.length ? <li className="muted small">and {links.total - links.jobs.length} more — see the workflow graph</li> : null}
        </ul>
      )}
    </section>
  );
}

/** What each action asks before it runs: every change to a job is confirmed. */
function confirmations(id: string): Record<JobAction, ConfirmOptions> {
  return {
    retry: { title: `Retry job ${id}?`, body: 'It runs again as its next attempt; jobs that were cancelled because it failed run again too.', confirmLabel: 'Retry' },
    cancel: { title: `Cancel job ${id}?`, body: 'Jobs waiting on it are cancelled too.', confirmLabel: 'Cancel job', danger: true },
    'run-now': { title: `Run job ${id} now?`, body: 'It becomes due now instead of at its scheduled time.', confirmLabel: 'Run now' },
    rerun: { title: `Re-run job ${id} and every job downstream of it?`, body: 'Finished jobs of its subtree run again.', confirmLabel: 'Re-run' },
  };
}

const auditLabels: Record<string, string> = { retry: 'retried', cancel: 'cancelled', 'run-now': 'ran now', rerun: 're-ran with its subtree' };

function describeDetails(details: Record<string, unknown> | null): string {
  if (!details) return '';
  const parts: string[] = [];
  if (details.bulk) parts.push(details.filter ? `with every job matching ${new URLSearchParams(details.filter as Record<string, string>).toString() || 'no filter'}` : 'with a selection of jobs');
  if (Array.isArray(details.alsoChanged) && details.alsoChanged.length > 0) parts.push(`also changed ${details.alsoChanged.length} ${details.alsoChanged.length === 1 ? 'job' : 'jobs'}`);
  return parts.join('; ');
}
