import { sql } from 'kysely';
import type { AdminContext } from './admin-context.js';
import { readJobGraph, type JobGraph, type JobGraphNode } from './job-graph.js';

/**
 * The whole workflow a job belongs to: every job connected to it through dependencies, in
 * either direction — its ancestors, their roots, everything those roots lead to, and the other
 * parents of those jobs (a DAG can join two roots' branches) — where `jobGraph` gives only the
 * job's own lineage.
 *
 * One recursive CTE walks the dependency edges undirected, breadth first from the job: each step
 * probes job_dependencies' primary key `(job_id, depends_on_id)` for what a job waits on and
 * job_dependencies_depends_on_idx for what waits on it, one LATERAL probe per job found at the
 * level before (`offset 0` keeps the planner from flattening it into a join that would merge
 * every level against the whole index; see job-graph.ts). The CTE's UNION drops jobs already
 * seen, so diamonds and the walk back up a branch cost one hash lookup each. Postgres evaluates
 * the CTE lazily: the LIMIT (the cap plus one, to know that there was more) stops the walk, so a
 * workflow of a million jobs costs the cap, not its size, and when it is cut, the jobs kept are
 * the nearest ones. Then job_snapshots by primary key for the states and the edges among the
 * jobs kept (`readJobGraph`).
 *
 * Roles are computed here from the edges: the job asked about is 'root', then its ancestors and
 * descendants, and 'related' for the rest.
 */

export interface WorkflowGraphParams {
  jobId: string;
  /** Most jobs in the graph, the job asked about included (at least 2). */
  limit: number;
}

export async function workflowGraph(context: AdminContext, params: WorkflowGraphParams): Promise<JobGraph | undefined> {
  const { tables } = context;
  const id = sql`${params.jobId}::bigint`;
  const { rows } = await sql<{ id: string }>`
    with recursive walk(id) as (
      select id from ${tables.jobs} where id = ${id}
      union
      select n.id from walk cross join lateral (
        select depends_on_id as id from ${tables.jobDependencies} where job_id = walk.id
        union all
        select job_id from ${tables.jobDependencies} where depends_on_id = walk.id
        offset 0) n
    )
    select id::text as id from walk limit ${params.limit + 1}`.execute(context.db);
  if (rows.length === 0) return undefined;
  const truncated = rows.length > params.limit;
  const ids = rows.slice(0, params.limit).map((row) => String(row.id));
  const graph = await readJobGraph(context, new Map(ids.map((walked) => [walked, 'related'])), truncated);
  return { ...graph, nodes: assignRoles(graph, String(params.jobId)) };
}

/** Marks the job asked about, what it waits on (upstream) and what waits on it (downstream). */
function assignRoles(graph: JobGraph, rootId: string): JobGraphNode[] {
  const upstream = new Map<string, string[]>();
  const downstream = new Map<string, string[]>();
  const link = (links: Map<string, string[]>, from: string, to: string) => {
    const list = links.get(from);
    if (list) list.push(to);
    else links.set(from, [to]);
  };
  for (const edge of graph.edges) {
    link(upstream, edge.to, edge.from);
    link(downstream, edge.from, edge.to);
  }
  const reach = (links: Map<string, string[]>): Set<string> => {
    const seen = new Set<string>();
    const queue = [rootId];
    while (queue.length > 0) {
      for (const next of links.get(queue.pop()!) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        queue.push(next);
      }
    }
    return seen;
  };
  const ancestors = reach(upstream);
  const descendants = reach(downstream);
  return graph.nodes.map((node) => ({
    ...node,
    role: node.id === rootId ? 'root' : ancestors.has(node.id) ? 'ancestor' : descendants.has(node.id) ? 'descendant' : 'related',
  }));
}
