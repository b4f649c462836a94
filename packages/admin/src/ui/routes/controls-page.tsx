import { useState } from 'react';
import type { MetaResponse, TypeControlsResponse } from '../../shared/api-types.js';
import { ErrorBox, Loading, Notice, PageHeader, Time } from '../components/common.js';
import { useConfirm } from '../components/confirm-dialog.js';
import { Link } from '../router.js';
import { getControls, getSchedules, setControls, type ControlsChange } from '../services/controls.js';
import { useApi } from '../use-api.js';

/**
 * Controls: pause or resume a job type and limit how many of its jobs run at once across every
 * worker (each change confirmed, and kept in the audit trail), and the declared schedules with
 * their next and last runs. Each limit says where it comes from: the code (`registry.limit`) or a
 * change made at run time, which overrides the code until "Use the code's limits" clears it.
 */
export function ControlsPage({ meta }: { meta: MetaResponse | undefined }) {
  const controls = useApi((signal) => getControls(signal), [], { refreshMs: 10_000 });
  const schedules = useApi((signal) => getSchedules(signal), [], { refreshMs: 30_000 });
  const { dialog, ask } = useConfirm();
  const [outcome, setOutcome] = useState<{ kind: 'success' | 'error'; text: string } | undefined>();
  const readOnly = meta?.readOnly ?? false;

  const change = async (row: TypeControlsResponse, next: ControlsChange) => {
    const what = next.clearLimits
      ? `Use the code's limits for ${row.type}?`
      : next.paused === true ? `Pause ${row.type}?` : next.paused === false ? `Resume ${row.type}?` : next.concurrency === null ? `Remove the limit of ${row.type}?` : `Limit ${row.type} to ${next.concurrency} at once?`;
    const body = next.clearLimits
      ? `The limits set at run time go; what the code declares applies: ${describeLimits(row.declared)}.`
      : next.paused === true
        ? 'No worker starts its jobs until it is resumed; running jobs finish, nothing is lost.'
        : next.paused === false
          ? 'Workers start its waiting jobs again.'
          : 'Across every worker, at most this many of its jobs run at the same time. Set here, it overrides what the code declares until you go back to the code\'s limits.';
    if (!(await ask({ title: what, body, confirmLabel: next.paused === true ? 'Pause' : next.paused === false ? 'Resume' : 'Apply', danger: next.paused === true }))) return;
    try {
      const result = await setControls(row.type, next);
      setOutcome({ kind: 'success', text: `${result.type}: ${result.paused ? 'paused' : 'running'}, ${result.concurrency === null ? 'no limit' : `at most ${result.concurrency} at once`}.` });
      controls.reload();
    } catch (error) {
      setOutcome({ kind: 'error', text: (error as Error).message });
    }
  };

  return (
    <>
      <PageHeader title="Controls" subtitle="Pause job types, limit how many run at once across all workers, and see the schedules." />
      {dialog}
      {outcome ? <Notice kind={outcome.kind}>{outcome.text}</Notice> : null}
      <section className="card table-card" aria-labelledby="controls-title">
        <div className="table-toolbar"><h2 id="controls-title">Job types</h2></div>
        {controls.error ? <ErrorBox error={controls.error} /> : null}
        {!controls.data ? (
          <Loading what="controls" />
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="controls-table">
              <thead>
                <tr>
                  <th scope="col">Job type</th>
                  <th scope="col">State</th>
                  <th scope="col">Limit (cluster-wide)</th>
                  <th scope="col">Rate · per group</th>
                  <th scope="col"><span className="visually-hidden">Pause or resume</span></th>
                </tr>
              </thead>
              <tbody>
                {controls.data.types.map((row) => (
                  <ControlRow key={row.type} row={row} readOnly={readOnly} onChange={(next) => void change(row, next)} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card table-card" aria-labelledby="schedules-title">
        <div className="table-toolbar"><h2 id="schedules-title">Schedules</h2></div>
        {schedules.error ? <ErrorBox error={schedules.error} /> : null}
        {!schedules.data ? (
          <Loading what="schedules" />
        ) : schedules.data.schedules.length === 0 ? (
          <p className="muted card-pad">No schedule is declared.</p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="schedules-table">
              <thead>
                <tr>
                  <th scope="col">Schedule</th>
                  <th scope="col">Cron</th>
                  <th scope="col">Next run</th>
                  <th scope="col">Last run</th>
                  <th scope="col">Catch-up</th>
                </tr>
              </thead>
              <tbody>
                {schedules.data.schedules.map((schedule) => (
                  <tr key={`${schedule.type}:${schedule.name}`} className={schedule.state === 'removed' ? 'muted' : undefined}>
                    <td>
                      <Link to={`/types/${encodeURIComponent(schedule.type)}`} className="mono">{schedule.type}</Link> <span className="mono small">{schedule.name}</span>
                      {schedule.state === 'removed' ? <span className="muted small"> · removed</span> : null}
                    </td>
                    <td className="mono small nowrap">{schedule.cron} <span className="muted">{schedule.timezone}</span></td>
                    <td className="nowrap"><Time iso={schedule.nextFireAt} /></td>
                    <td className="nowrap"><Time iso={schedule.lastFireAt} /></td>
                    <td className="small">{schedule.catchUp}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

type LimitSource = TypeControlsResponse['sources']['concurrency'];

/** Where a limit in force comes from, in words: null for no limit at all. */
function sourceLabel(source: LimitSource): string | null {
  return source === 'code' ? 'from code' : source === 'run-time' ? 'set at run time' : null;
}

function describeLimits(limits: TypeControlsResponse['declared']): string {
  const parts = [
    limits.concurrency === null ? null : `${limits.concurrency} at once`,
    limits.rate === null ? null : `${limits.rate.limit} per ${limits.rate.intervalMs} ms`,
    limits.groupConcurrency === null ? null : `${limits.groupConcurrency} per group`,
  ].filter((part) => part !== null);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

function ControlRow({ row, readOnly, onChange }: { row: TypeControlsResponse; readOnly: boolean; onChange: (next: ControlsChange) => void }) {
  const [limit, setLimit] = useState(row.concurrency === null ? '' : String(row.concurrency));
  const parsed = limit.trim() === '' ? null : Number(limit);
  const valid = parsed === null || (Number.isInteger(parsed) && parsed >= 1 && parsed <= 1_000_000);
  const changed = parsed !== row.concurrency;
  return (
    <tr className={row.paused ? 'row-alert' : undefined}>
      <th scope="row"><Link to={`/types/${encodeURIComponent(row.type)}`} className="mono">{row.type}</Link></th>
      <td>{row.paused ? <span className="state state-failed">paused</span> : <span className="state state-succeeded">running</span>}</td>
      <td>
        <form className="inline-form" onSubmit={(event) => { event.preventDefault(); if (valid && changed) onChange({ concurrency: parsed }); }}>
          <label className="visually-hidden" htmlFor={`limit-${row.type}`}>Limit of {row.type}</label>
          <input id={`limit-${row.type}`} type="number" min={1} max={1_000_000} placeholder="no limit" value={limit} aria-invalid={!valid} onChange={(event) => setLimit(event.target.value)} disabled={readOnly} />
          <button type="submit" className="button small" disabled={readOnly || !valid || !changed}>Set</button>
        </form>
        {sourceLabel(row.sources.concurrency) ? <div className="muted small" data-testid="limit-source">{sourceLabel(row.sources.concurrency)}</div> : null}
      </td>
      <td className="small">
        <div>{row.rate ? `${row.rate.limit} per ${row.rate.intervalMs} ms` : 'no rate limit'}{sourceLabel(row.sources.rate) ? <span className="muted"> · {sourceLabel(row.sources.rate)}</span> : null}</div>
        <div>{row.groupConcurrency !== null ? `${row.groupConcurrency} per group` : 'no group limit'}{sourceLabel(row.sources.groupConcurrency) ? <span className="muted"> · {sourceLabel(row.sources.groupConcurrency)}</span> : null}</div>
        {Object.values(row.sources).includes('run-time') ? (
          <button type="button" className="button small" disabled={readOnly} onClick={() => onChange({ clearLimits: true })} title={`The code declares: ${describeLimits(row.declared)}`}>
            Use the code's limits
          </button>
        ) : null}
      </td>
      <td>
        <button type="button" className={`button small ${row.paused ? 'button-primary' : 'button-danger'}`} disabled={readOnly} onClick={() => onChange({ paused: !row.paused })}>
          {row.paused ? 'Resume' : 'Pause'}
        </button>
      </td>
    </tr>
  );
}
