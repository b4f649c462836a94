import type { QueueHealthResponse } from '../../shared/api-types.js';
import { Link } from '../router.js';
import { formatCount, formatDuration } from '../services/format.js';

/**
 * Queue health per job type: how much waits (due now, scheduled, retrying, on dependencies),
 * how long the oldest due job has waited, how fast workers pick jobs up, and the last hour's
 * failures as small bars (finished above, failed in red) with the failure rate. Types with
 * nothing queued, running or finished in the hour are left out.
 */
export function QueueHealthTable({ data }: { data: QueueHealthResponse }) {
  const rows = data.types.filter((type) => type.due + type.scheduled + type.retrying + type.waiting + type.running > 0 || type.lastHour.some((bucket) => bucket.succeeded + bucket.failed + bucket.retried + bucket.cancelled > 0));
  if (rows.length === 0) return <p className="muted">Nothing queued, running or finished in the last hour.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="queue-health-table">
        <thead>
          <tr>
            <th scope="col">Job type</th>
            <th scope="col" className="num">Due</th>
            <th scope="col" className="num">Scheduled</th>
            <th scope="col" className="num">Retrying</th>
            <th scope="col" className="num">Waiting</th>
            <th scope="col" className="num">Running</th>
            <th scope="col" className="num">Oldest due</th>
            <th scope="col" className="num">Pickup</th>
            <th scope="col">Last hour</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const finished = row.lastHour.reduce((sum, bucket) => sum + bucket.succeeded + bucket.failed + bucket.cancelled, 0);
            const failed = row.lastHour.reduce((sum, bucket) => sum + bucket.failed, 0);
            const rate = finished > 0 ? failed / finished : 0;
            const link = (state: string) => `/jobs?type=${encodeURIComponent(row.type)}&state=${state}`;
            return (
              <tr key={row.type} className={failed > 0 ? 'row-alert' : undefined}>
                <th scope="row"><Link to={`/types/${encodeURIComponent(row.type)}`} className="mono">{row.type}</Link></th>
                <td className="num">{row.due > 0 ? <Link to={link('queued')}>{formatCount(row.due)}</Link> : <span className="muted">0</span>}</td>
                <td className="num">{row.scheduled > 0 ? <Link to={link('scheduled')}>{formatCount(row.scheduled)}</Link> : <span className="muted">0</span>}</td>
                <td className="num">{row.retrying > 0 ? <Link to={link('retrying')} className="error-text">{formatCount(row.retrying)}</Link> : <span className="muted">0</span>}</td>
                <td className="num">{row.waiting > 0 ? <Link to={link('waiting')}>{formatCount(row.waiting)}</Link> : <span className="muted">0</span>}</td>
                <td className="num">{row.running > 0 ? <Link to={link('running')}>{formatCount(row.running)}</Link> : <span className="muted">0</span>}</td>
                <td className={`num nowrap${row.oldestDueAgeMs !== null && row.oldestDueAgeMs > 60_000 ? ' error-text' : ''}`}>{row.oldestDueAgeMs === null ? <span className="muted">–</span> : formatDuration(row.oldestDueAgeMs)}</td>
                <td className="num nowrap">{row.pickupMs === null ? <span className="muted">–</span> : formatDuration(row.pickupMs)}</td>
                <td className="nowrap">
                  <Sparkline buckets={row.lastHour} />{' '}
                  <span className={failed > 0 ? 'error-text small' : 'muted small'} title={`${failed} failed of ${finished} finished in the last hour`}>
                    {finished > 0 ? `${Math.round(rate * 100)} % failed` : 'none finished'}
                  </span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Sparkline({ buckets }: { buckets: QueueHealthResponse['types'][number]['lastHour'] }) {
  const width = 96;
  const height = 20;
  const max = Math.max(1, ...buckets.map((bucket) => bucket.succeeded + bucket.failed + bucket.cancelled));
  const barWidth = width / buckets.length;
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true">
      {buckets.map((bucket, index) => {
        const total = ((bucket.succeeded + bucket.failed + bucket.cancelled) / max) * height;
        const failed = (bucket.failed / max) * height;
        return (
          <g key={bucket.start}>
            {total > 0 ? <rect className="bar-succeeded" x={index * barWidth + 0.5} y={height - total} width={barWidth - 1} height={total - failed} /> : null}
            {failed > 0 ? <rect className="bar-failed" x={index * barWidth + 0.5} y={height - failed} width={barWidth - 1} height={failed} /> : null}
          </g>
        );
      })}
    </svg>
  );
}
