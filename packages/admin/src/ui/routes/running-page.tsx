import type { JobSummary } from '../../shared/api-types.js';
import { ProgressBar } from '../components/attempt-report.js';
import { ErrorBox, Loading, Notice, PageHeader, Time } from '../components/common.js';
import { Link } from '../router.js';
import { emptyFilters, listJobs } from '../services/jobs.js';
import { formatDuration } from '../services/format.js';
import { useApi } from '../use-api.js';

const limit = 500;

/** What runs where: the running jobs grouped by worker, longest-running first, refreshed every 3 s. */
export function RunningPage() {
  // Progress moves no change counter of the event stream: polled while live too.
  const running = useApi((signal) => listJobs({ ...emptyFilters, states: ['running'], sort: 'created' }, null, limit, signal), [], { refreshMs: 3_000, pollWhileLive: true });
  const byWorker = new Map<string, JobSummary[]>();
  for (const job of running.data?.jobs ?? []) {
    const worker = job.workerId ?? 'unknown worker';
    byWorker.set(worker, [...(byWorker.get(worker) ?? []), job]);
  }
  for (const jobs of byWorker.values()) jobs.sort((a, b) => (b.runMs ?? 0) - (a.runMs ?? 0));
  return (
    <>
      <PageHeader title="Running" subtitle="What runs where, for how long, and how far (as handlers report it). Refreshed every 3 seconds." />
      {running.error ? <ErrorBox error={running.error} /> : null}
      {!running.data ? (
        <Loading what="running jobs" />
      ) : byWorker.size === 0 ? (
        <Notice>Nothing is running.</Notice>
      ) : (
        [...byWorker.entries()].map(([worker, jobs]) => (
          <section key={worker} className="card table-card" aria-label={`Worker ${worker}`}>
            <div className="table-toolbar">
              <h2 className="mono small">{worker}</h2>
              <span className="muted small">{jobs.length} running</span>
            </div>
            <div className="table-wrap">
              <table className="table" data-testid="running-table">
                <thead>
                  <tr>
                    <th scope="col" className="num">Id</th>
                    <th scope="col">Type</th>
                    <th scope="col">Key</th>
                    <th scope="col" className="num">Attempt</th>
                    <th scope="col">Started</th>
                    <th scope="col" className="num">Running for</th>
                    <th scope="col">Progress</th>
                  </tr>
                </thead>
                <tbody>
                  {jobs.map((job) => (
                    <tr key={job.id}>
                      <td className="num mono"><Link to={`/jobs/${job.id}`}>{job.id}</Link></td>
                      <td className="mono">{job.type}</td>
                      <td className="mono truncate" title={job.key}><Link to={`/jobs/${job.id}`}>{job.key}</Link></td>
                      <td className="num">{job.attempts} / {job.maxAttempts}</td>
                      <td className="nowrap"><Time iso={job.startedAt} /></td>
                      <td className="num nowrap" data-testid="running-for">{formatDuration(job.runMs)}</td>
                      <td><ProgressBar fraction={job.progress?.fraction} message={job.progress?.message} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        ))
      )}
      {running.data?.nextCursor ? <p className="muted small">Showing the first {limit} running jobs.</p> : null}
    </>
  );
}
