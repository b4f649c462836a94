import { useMemo, useState } from 'react';
import type { GraphResponse, GraphView, JobStateName } from '../../shared/api-types.js';
import { ErrorBox, Loading, Notice, PageHeader, StateBadge } from '../components/common.js';
import { DagDetails } from '../components/dag-details.js';
import { DagView } from '../components/dag-view.js';
import { groupGraph, type DisplayNode } from '../services/graph-groups.js';
import { stateMarks, stateOrder } from '../services/graph-labels.js';
import { Link, navigate, useLocation } from '../router.js';
import { getGraph } from '../services/jobs.js';
import { useApi } from '../use-api.js';

/**
 * The workflow graph of a job, at `/jobs/:id/graph`: by default the whole workflow the job belongs
 * to (every job connected to it, up to 5,000); `?view=lineage` shows only the job's ancestors and
 * descendants (up to 500). `?view=workflow` is accepted as the explicit form of the default (the
 * workflow runs list links to `/jobs/<root id>/graph`). Look-alike jobs are grouped (see
 * services/graph-groups.ts); refreshed every 5 s, recoloured without a new layout.
 */

const limits: Record<GraphView, number> = { workflow: 5_000, lineage: 500 };

export function GraphPage({ id }: { id: string }) {
  const { search } = useLocation();
  const view: GraphView = new URLSearchParams(search).get('view') === 'lineage' ? 'lineage' : 'workflow';
  const graph = useApi((signal) => getGraph(id, { view }, signal), [id, view], { refreshMs: 5_000 });
  const data = useUnchanged(graph.data);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined);
  const display = useMemo(() => (data ? groupGraph(data, { expanded, collapsed }) : undefined), [data, expanded, collapsed]);

  if (graph.error && !data) return <ErrorBox error={graph.error} title={`Workflow of job ${id}`} />;
  if (!data || !display) return <Loading what="the workflow" />;

  const root = data.nodes.find((node) => node.role === 'root');
  const byState = new Map<JobStateName, number>();
  for (const node of data.nodes) byState.set(node.state, (byState.get(node.state) ?? 0) + 1);
  const selected = display.nodes.find((node) => node.id === selectedId);
  const groupCount = display.nodes.filter((node) => node.kind === 'group').length;
  const toggleGroup = (groupId: string) => {
    const isCollapsed = display.nodes.some((node) => node.id === groupId);
    const without = (set: ReadonlySet<string>) => new Set([...set].filter((entry) => entry !== groupId));
    if (isCollapsed) {
      setExpanded(new Set([...expanded, groupId]));
      setCollapsed(without(collapsed));
    } else {
      setCollapsed(new Set([...collapsed, groupId]));
      setExpanded(without(expanded));
    }
    setSelectedId(isCollapsed ? undefined : groupId);
  };
  const activate = (node: DisplayNode) => {
    if (node.kind === 'group') toggleGroup(node.id);
    else navigate(`/jobs/${node.id}`);
  };
  const jobs = data.nodes.length;
  const other: GraphView = view === 'workflow' ? 'lineage' : 'workflow';

  return (
    <>
      <PageHeader
        title={view === 'workflow' ? 'Workflow' : 'Lineage'}
        subtitle={
          <>
            {view === 'workflow' ? 'Of' : 'Around'} <Link to={`/jobs/${id}`} className="mono">{root ? `${root.type}:${root.key}` : `job ${id}`}</Link> · {jobs} {jobs === 1 ? 'job' : 'jobs'}, {data.edges.length} {data.edges.length === 1 ? 'dependency' : 'dependencies'}
            {groupCount > 0 ? <> · {display.nodes.length} nodes, {groupCount} {groupCount === 1 ? 'group' : 'groups'} of look-alike jobs</> : null}
          </>
        }
        actions={
          <>
            <Link to={other === 'workflow' ? `/jobs/${id}/graph` : `/jobs/${id}/graph?view=lineage`} className="button">
              {other === 'workflow' ? 'Whole workflow' : 'Only its lineage'}
            </Link>
            <button type="button" className="button" onClick={graph.reload} disabled={graph.loading}>Refresh</button>
            <Link to={`/jobs/${id}`} className="button">Back to the job</Link>
          </>
        }
      />
      {data.truncated ? (
        <Notice kind="warning">
          {view === 'workflow'
            ? `Truncated: this workflow has more than ${limits.workflow.toLocaleString('en-US')} jobs; showing the ${jobs.toLocaleString('en-US')} nearest to this one. Open a job further out to see its part.`
            : `Truncated: more than ${limits.lineage} jobs around this one; showing the ${limits.lineage} nearest (ancestors and descendants share the cap). Open a job further out to see its part.`}
        </Notice>
      ) : null}
      <div className="legend graph-legend" aria-label="States in this workflow">
        {stateOrder.filter((state) => byState.has(state)).map((state) => (
          <span key={state} className="graph-legend-entry">
            <span className={`graph-swatch dag-bar-${state}`} aria-hidden="true" />
            <StateBadge state={state} /> {stateMarks[state]} {byState.get(state)}
          </span>
        ))}
      </div>
      <div className="graph-layout">
        <DagView
          display={display}
          rootId={id}
          jobCount={jobs}
          selectedId={selected?.id}
          onSelect={(node) => setSelectedId(node?.id)}
          onActivate={activate}
        />
        <DagDetails
          node={selected}
          groupSize={selected?.kind === 'job' && selected.groupId ? display.groups.get(selected.groupId)?.length : undefined}
          onToggleGroup={toggleGroup}
        />
      </div>
    </>
  );
}

/**
 * The response as last rendered while a refresh brings the same data back, so that an idle
 * refresh re-renders nothing; a new object when anything (a state) changed.
 */
function useUnchanged(value: GraphResponse | undefined): GraphResponse | undefined {
  const key = value ? JSON.stringify(value) : '';
  const [held, setHeld] = useState({ key, value });
  if (held.key !== key) {
    setHeld({ key, value });
    return value;
  }
  return held.value;
}
