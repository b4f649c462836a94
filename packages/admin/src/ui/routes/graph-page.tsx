import { jobStateNames, type JobStateName } from '../../shared/api-types.js';
import { ErrorBox, Loading, Notice, PageHeader, StateBadge } from '../components/common.js';
import { DagView } from '../components/dag-view.js';
import { Link } from '../router.js';
import { getGraph } from '../services/jobs.js';
import { useApi } from '../use-api.js';

const nodeLimit = 500;

/** The workflow around a job: its ancestors and descendants, coloured by state. */
export function GraphPage({ id }: { id: string }) {
  const graph = useApi((signal) => getGraph(id, nodeLimit, signal), [id], { refreshMs: 5_000 });
  if (graph.error && !graph.data) return <ErrorBox error={graph.error} title={`Workflow of job ${id}`} />;
  if (!graph.data) return <Loading what="the workflow" />;
  const root = graph.data.nodes.find((node) => node.role === 'root');
  const byState = new Map<JobStateName, number>();
  for (const node of graph.data.nodes) byState.set(node.state, (byState.get(node.state) ?? 0) + 1);
  return (
    <>
      <PageHeader
        title="Workflow"
        subtitle={
          <>
            Around <Link to={`/jobs/${id}`} className="mono">{root ? `${root.type}:${root.key}` : `job ${id}`}</Link> · {graph.data.nodes.length} {graph.data.nodes.length === 1 ? 'job' : 'jobs'}, {graph.data.edges.length} {graph.data.edges.length === 1 ? 'dependency' : 'dependencies'} · click a job to open it
          </>
        }
        actions={<Link to={`/jobs/${id}`} className="button">Back to the job</Link>}
      />
      {graph.data.truncated ? (
        <Notice kind="warning">
          This workflow has more than {nodeLimit} jobs around this one: showing the {nodeLimit} nearest (ancestors and descendants share the cap). Open a job further out to see its part.
        </Notice>
      ) : null}
      <div className="legend graph-legend" aria-label="States in this workflow">
        {jobStateNames.filter((state) => byState.has(state)).map((state) => (
          <span key={state}>
            <StateBadge state={state} /> {byState.get(state)}
          </span>
        ))}
      </div>
      <DagView graph={graph.data} />
    </>
  );
}
