import { useState } from 'react';
import { jobStateNames } from '../../shared/api-types.js';
import { ErrorBox, Loading, Notice, PageHeader, StateBadge } from '../components/common.js';
import { QueueHealthTable } from '../components/queue-health.js';
import { ThroughputChart } from '../components/throughput-chart.js';
import { Link } from '../router.js';
import { formatCount, formatDuration, formatRelative } from '../services/format.js';
import { countsMatrix, getCounts, getOverview, getQueueHealth, getThroughput } from '../services/overview.js';
import { useApi } from '../use-api.js';

/** Overview: registered plugins and job types, counts per state, throughput, live workers. */
export function OverviewPage() {
  const [window, setWindow] = useState<'1h' | '6h' | '24h'>('24h');
  const overview = useApi((signal) => getOverview(signal), [], { refreshMs: 10_000 });
  const counts = useApi((signal) => getCounts(signal), [], { refreshMs: 5_000 });
  const throughput = useApi((signal) => getThroughput(window, signal), [window], { refreshMs: 15_000 });
  const health = useApi((signal) => getQueueHealth(signal), [], { refreshMs: 5_000 });
  const failedLastHour = health.data?.types.reduce((sum, type) => sum + type.lastHour.reduce((inner, bucket) => inner + bucket.failed, 0), 0) ?? 0;
  const typeOrder = overview.data?.plugins.flatMap((plugin) => plugin.jobTypes.map((type) => type.fullName)) ?? [];
  const matrix = counts.data ? countsMatrix(counts.data.counts, typeOrder) : undefined;
  const now = overview.data ? new Date(overview.data.databaseNow) : new Date();

  return (
    <>
      <PageHeader title="Overview" subtitle="Jobs per state, throughput, registered job types and live workers." />
      {failedLastHour > 0 ? (
        <Notice kind="error">
          <strong>{formatCount(failedLastHour)} {failedLastHour === 1 ? 'job' : 'jobs'} failed in the last hour.</strong>{' '}
          <Link to="/jobs?state=failed&sort=-finished">Review the failed jobs</Link>
        </Notice>
      ) : null}

      <section className="card" aria-labelledby="counts-title">
        <header className="card-header">
          <h2 id="counts-title">Jobs by type and state</h2>
          {counts.data?.succeededCountedAt ? (
            <span className="muted small" title="Succeeded jobs are counted at most every 30 s on large tables; other states are live.">
              succeeded counted {formatRelative(counts.data.succeededCountedAt)}
            </span>
          ) : null}
        </header>
        {counts.error ? <ErrorBox error={counts.error} /> : null}
        {!matrix ? (
          <Loading what="counts" />
        ) : (
          <div className="table-wrap">
            <table className="table numeric-right" data-testid="counts-table">
              <thead>
                <tr>
                  <th scope="col">Job type</th>
                  {jobStateNames.map((state) => (
                    <th scope="col" key={state} className="num">
                      <StateBadge state={state} />
                    </th>
                  ))}
                  <th scope="col" className="num">Total</th>
                </tr>
              </thead>
              <tbody>
                {matrix.rows.map((row) => (
                  <tr key={row.type}>
                    <th scope="row">
                      <Link to={`/types/${encodeURIComponent(row.type)}`} className="mono">{row.type}</Link>
                    </th>
                    {jobStateNames.map((state) => (
                      <td key={state} className={`num${state === 'failed' && row.byState.failed > 0 ? ' cell-alert' : ''}`}>
                        {row.byState[state] > 0 ? (
                          <Link to={`/jobs?type=${encodeURIComponent(row.type)}&state=${state}`}>{formatCount(row.byState[state])}</Link>
                        ) : (
                          <span className="muted">0</span>
                        )}
                      </td>
                    ))}
                    <td className="num">{formatCount(row.total)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">All types</th>
                  {jobStateNames.map((state) => (
                    <td key={state} className="num">
                      {matrix.totals[state] > 0 ? <Link to={`/jobs?state=${state}`}>{formatCount(matrix.totals[state])}</Link> : <span className="muted">0</span>}
                    </td>
                  ))}
                  <td className="num">{formatCount(Object.values(matrix.totals).reduce((sum, value) => sum + value, 0))}</td>
                </tr>
              </tfoot>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="health-title">
        <header className="card-header">
          <h2 id="health-title">Queue health</h2>
          <span className="muted small">live from the queue; failures from the per-minute rollups</span>
        </header>
        {health.error ? <ErrorBox error={health.error} /> : null}
        {health.data ? <QueueHealthTable data={health.data} /> : <Loading what="queue health" />}
      </section>

      <section className="card" aria-labelledby="throughput-title">
        <header className="card-header">
          <h2 id="throughput-title">Finished jobs over time</h2>
          <div className="segmented" role="group" aria-label="Time window">
            {(['1h', '6h', '24h'] as const).map((option) => (
              <button type="button" key={option} className={option === window ? 'active' : ''} aria-pressed={option === window} onClick={() => setWindow(option)}>
                {option}
              </button>
            ))}
          </div>
        </header>
        {throughput.error ? <ErrorBox error={throughput.error} /> : null}
        {throughput.data ? <ThroughputChart data={throughput.data} /> : <Loading what="throughput" />}
      </section>

      <div className="grid-2">
        <section className="card" aria-labelledby="types-title">
          <header className="card-header">
            <h2 id="types-title">Plugins and job types</h2>
          </header>
          {overview.error ? <ErrorBox error={overview.error} /> : null}
          {!overview.data ? (
            <Loading what="plugins" />
          ) : (
            <div className="table-wrap">
              <table className="table" data-testid="types-table">
                <thead>
                  <tr>
                    <th scope="col">Job type</th>
                    <th scope="col" className="num">Id</th>
                    <th scope="col">Submit</th>
                    <th scope="col">Workers (concurrency · poll)</th>
                  </tr>
                </thead>
                {overview.data.plugins.map((plugin) => (
                  <tbody key={plugin.name}>
                    <tr className="group-row">
                      <th scope="colgroup" colSpan={4}>
                        {plugin.name} <span className="muted small">{plugin.packageName} {plugin.version} · client {plugin.clientId}</span>
                      </th>
                    </tr>
                    {plugin.jobTypes.map((type) => (
                      <tr key={type.id}>
                        <td>
                          <Link to={`/types/${encodeURIComponent(type.fullName)}`} className="mono">{type.fullName}</Link>
                          {type.description ? <div className="muted small">{type.description}</div> : null}
                        </td>
                        <td className="num mono">{type.id}</td>
                        <td>{type.submittable ? <Link to={`/submit?type=${encodeURIComponent(type.fullName)}`}>submit</Link> : <span className="muted">–</span>}</td>
                        <td>
                          {type.workers.length === 0 ? (
                            <span className="muted">no live worker</span>
                          ) : (
                            type.workers.map((worker) => (
                              <div key={`${worker.workerId}-${worker.name}`} className="small">
                                <span className="mono">{worker.name}</span> · {worker.concurrency} · {formatDuration(worker.pollIntervalMs)}
                                {worker.timeoutMs ? <span className="muted"> · timeout {formatDuration(worker.timeoutMs)}</span> : null}
                              </div>
                            ))
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                ))}
              </table>
            </div>
          )}
          {overview.data && overview.data.unknownTypes.length > 0 ? (
            <p className="muted small">
              In the database but not in this registry: {overview.data.unknownTypes.map((type) => `${type.name} (${type.id})`).join(', ')}
            </p>
          ) : null}
        </section>

        <section className="card" aria-labelledby="workers-title">
          <header className="card-header">
            <h2 id="workers-title">Workers</h2>
            <span className="muted small">seen in the last day</span>
          </header>
          {!overview.data ? (
            <Loading what="workers" />
          ) : overview.data.workers.length === 0 ? (
            <p className="muted">No worker has reported in the last day. Start one with <code>jobby worker</code>.</p>
          ) : (
            <div className="table-wrap">
              <table className="table" data-testid="workers-table">
                <thead>
                  <tr>
                    <th scope="col">Worker</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="num">Slots</th>
                    <th scope="col">Last heartbeat</th>
                  </tr>
                </thead>
                <tbody>
                  {overview.data.workers.map((worker) => (
                    <tr key={worker.id}>
                      <td>
                        <span className="mono small">{worker.id}</span>
                        <div className="muted small">
                          {worker.hostname} · pid {worker.pid} · {worker.jobTypes.length} types{worker.inProcess ? ' · this process' : ''}
                        </div>
                      </td>
                      <td>
                        <span className={`dot ${worker.alive ? 'dot-live' : 'dot-gone'}`} aria-hidden="true" />
                        {worker.alive ? 'live' : worker.stoppedAt ? 'stopped' : 'silent'}
                      </td>
                      <td className="num">
                        {worker.heldJobs !== null ? `${worker.heldJobs} / ` : ''}
                        {worker.concurrency}
                      </td>
                      <td title={worker.lastHeartbeatAt}>{formatRelative(worker.lastHeartbeatAt, now)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
    </>
  );
}
