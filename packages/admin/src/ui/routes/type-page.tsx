import { jobStateNames, type Distribution } from '../../shared/api-types.js';
import { ErrorBox, Loading, PageHeader, StateBadge } from '../components/common.js';
import { Link } from '../router.js';
import { formatBytes, formatCount, formatDuration, formatRelative } from '../services/format.js';
import { getTypeStats } from '../services/overview.js';
import { useApi } from '../use-api.js';

/** One job type: counts, run-time percentiles and payload sizes over its latest succeeded jobs. */
export function TypePage({ type }: { type: string }) {
  const stats = useApi((signal) => getTypeStats(type, signal), [type], { refreshMs: 15_000 });
  if (stats.error && !stats.data) return <ErrorBox error={stats.error} title={type} />;
  if (!stats.data) return <Loading what={`statistics of ${type}`} />;
  const { data } = stats;
  const total = Object.values(data.counts).reduce((sum, value) => sum + (value ?? 0), 0);
  return (
    <>
      <PageHeader
        title={<span className="mono">{data.type.fullName}</span>}
        subtitle={
          <>
            id {data.type.id} · plugin {data.type.plugin} · {data.type.submittable ? 'submittable' : 'not submittable'}
            {data.type.description ? ` · ${data.type.description}` : ''}
          </>
        }
        actions={
          <>
            <Link to={`/jobs?type=${encodeURIComponent(data.type.fullName)}`} className="button">Jobs of this type</Link>
            {data.type.submittable ? <Link to={`/submit?type=${encodeURIComponent(data.type.fullName)}`} className="button button-primary">Submit</Link> : null}
          </>
        }
      />
      <section className="card">
        <header className="card-header">
          <h2>Jobs by state</h2>
          <span className="muted small">{formatCount(total)} in all{data.succeededCountedAt ? ` · succeeded counted ${formatRelative(data.succeededCountedAt)}` : ''}</span>
        </header>
        <div className="state-tiles">
          {jobStateNames.map((state) => (
            <Link key={state} to={`/jobs?type=${encodeURIComponent(data.type.fullName)}&state=${state}`} className="tile">
              <StateBadge state={state} />
              <span className="tile-value">{formatCount(data.counts[state] ?? 0)}</span>
            </Link>
          ))}
        </div>
      </section>
      <section className="card">
        <header className="card-header">
          <h2>Timings and sizes</h2>
          <span className="muted small">
            {data.sample.sampled === 0
              ? 'no succeeded job yet'
              : `over the latest ${formatCount(data.sample.sampled)} succeeded jobs${data.sample.sampled === data.sample.limit ? ` (sample limit)` : ''}, finished ${formatRelative(data.sample.oldestFinishedAt)} – ${formatRelative(data.sample.newestFinishedAt)}`}
          </span>
        </header>
        <div className="table-wrap">
          <table className="table numeric-right" data-testid="type-stats">
            <thead>
              <tr>
                <th scope="col">Measure</th>
                <th scope="col" className="num">p50</th>
                <th scope="col" className="num">p95</th>
                <th scope="col" className="num">p99</th>
                <th scope="col" className="num">mean</th>
                <th scope="col" className="num">max</th>
              </tr>
            </thead>
            <tbody>
              <DistributionRow label="Run time" distribution={data.runTimeMs} format={formatDuration} />
              <DistributionRow label="Queue delay (ready → start)" distribution={data.queueDelayMs} format={formatDuration} />
              <DistributionRow label="Input size" distribution={data.inputBytes} format={formatBytes} />
              <DistributionRow label="Output size" distribution={data.outputBytes} format={formatBytes} />
            </tbody>
          </table>
        </div>
      </section>
      <div className="grid-2">
        <SchemaCard title="Input schema" schema={data.type.inputSchema} />
        <SchemaCard title="Output schema" schema={data.type.outputSchema} />
      </div>
    </>
  );
}

function DistributionRow({ label, distribution, format }: { label: string; distribution: Distribution; format: (value: number | null) => string }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td className="num">{format(distribution.p50)}</td>
      <td className="num">{format(distribution.p95)}</td>
      <td className="num">{format(distribution.p99)}</td>
      <td className="num">{format(distribution.mean)}</td>
      <td className="num">{format(distribution.max)}</td>
    </tr>
  );
}

function SchemaCard({ title, schema }: { title: string; schema: unknown }) {
  return (
    <section className="card payload">
      <header className="card-header">
        <h2>{title}</h2>
      </header>
      {schema ? <pre className="code">{JSON.stringify(schema, null, 2)}</pre> : <p className="muted">None: any JSON value.</p>}
    </section>
  );
}
