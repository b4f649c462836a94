import { sql } from 'kysely';
import type { AdminContext } from './admin-context.js';
import type { JobLink } from './job-detail.js';

/**
 * The workflow around a job: its ancestors (what it waits on, transitively) and its descendants
 * (what waits on it), walked along job_dependencies' two indexes (its primary key `(job_id,
 * depends_on_id)` upwards, job_dependencies_depends_on_idx downwards), then the states of the
 * jobs kept from job_snapshots (primary-key probes) — never a scan of history.
 *
 * Each walk is a recursive CTE whose UNION removes repeats (a DAG has diamonds); Postgres
 * evaluates it lazily, so the LIMIT stops the walk once `limit` jobs are found on that side: a
 * huge workflow costs the cap, not its size. Jobs nearer the root come first (level by level).
 * Each step probes the index once per job found at the level before (a LATERAL subquery that
 * `offset 0` keeps from being flattened into a join): as a plain join, the planner — which
 * guesses a recursive step's rows at ten times the first level's — merge-joined every level
 * against the whole depends-on index (150 ms per level at 446,533 dependency rows).
 */

export interface JobGraphNode extends JobLink {
  /**
   * 'root' for the job asked about; 'related' (whole-workflow graphs only) for a job connected
   * to it through others that is neither an ancestor nor a descendant (another root's branch).
   */
  role: 'root' | 'ancestor' | 'descendant' | 'related';
}

export interface JobGraph {
  nodes: JobGraphNode[];
  /** `from` must finish before `to` runs. */
  edges: { from: string; to: string }[];
  /** True when a side had more jobs than the cap (the whole workflow: when it has more jobs than the cap). */
  truncated: boolean;
}

export interface JobGraphParams {
  jobId: string;
  /** Most jobs in the graph, the root included (at least 2). */
  limit: number;
}

export async function jobGraph(context: AdminContext, params: JobGraphParams): Promise<JobGraph | undefined> {
  const { tables } = context;
  const id = sql`${params.jobId}::bigint`;
  // Each side is walked up to the whole cap; the cap is then shared: a side keeps at least half
  // of it, and what one side does not need goes to the other.
  const budget = params.limit - 1;
  const { rows: walked } = await sql<{ id: string; role: JobGraphNode['role'] }>`
    with recursive
      up(id) as (
        select depends_on_id from ${tables.jobDependencies} where job_id = ${id}
        union
        select d.depends_on_id from up cross join lateral (
          select depends_on_id from ${tables.jobDependencies} where job_id = up.id offset 0) d
      ),
      down(id) as (
        select job_id from ${tables.jobDependencies} where depends_on_id = ${id}
        union
        select d.job_id from down cross join lateral (
          select job_id from ${tables.jobDependencies} where depends_on_id = down.id offset 0) d
      )
    select id::text, 'root' as role from ${tables.jobs} where id = ${id}
    union all (select id::text, 'ancestor' from up limit ${params.limit})
    union all (select id::text, 'descendant' from down limit ${params.limit})`.execute(context.db);
  const root = walked.find((row) => row.role === 'root');
  if (!root) return undefined;
  const ancestors = walked.filter((row) => row.role === 'ancestor');
  const descendants = walked.filter((row) => row.role === 'descendant');
  const keepAncestors = Math.min(ancestors.length, Math.max(budget - descendants.length, Math.ceil(budget / 2)));
  const keepDescendants = Math.min(descendants.length, budget - keepAncestors);
  const truncated = keepAncestors < ancestors.length || keepDescendants < descendants.length;
  const kept = [root, ...ancestors.slice(0, keepAncestors), ...descendants.slice(0, keepDescendants)];
  return readJobGraph(context, new Map(kept.map((row) => [String(row.id), row.role])), truncated);
}

/**
 * The jobs of a walked graph with their states (job_snapshots by primary key) and the
 * dependencies among them (job_dependencies' primary key, `job_id = any(…)`). Jobs pruned while
 * the graph was read are left out; so are edges to them. Nodes come in id order.
 *
 * @internal shared by {@link jobGraph} and `workflowGraph`.
 */
export async function readJobGraph(context: AdminContext, roles: Map<string, JobGraphNode['role']>, truncated: boolean): Promise<JobGraph> {
  const { tables } = context;
  const ids = [...roles.keys()];
  const [jobs, edges] = await Promise.all([
    sql<{ id: string; type_id: number; key: string; state: JobLink['state'] | null }>`
      select s.id::text as id, s.type_id, s.key, s.state from ${tables.jobSnapshots} s where s.id = any(${sql.val(ids)}::bigint[])`.execute(context.db),
    sql<{ job_id: string; depends_on_id: string }>`
      select job_id::text, depends_on_id::text from ${tables.jobDependencies}
      where job_id = any(${sql.val(ids)}::bigint[]) and depends_on_id = any(${sql.val(ids)}::bigint[])`.execute(context.db),
  ]);
  const nodes = jobs.rows
    .filter((job) => job.state !== null)
    .map((job) => ({ id: String(job.id), typeId: job.type_id, key: job.key, state: job.state!, role: roles.get(String(job.id))! }))
    .sort((left, right) => Number(left.id) - Number(right.id));
  const present = new Set(nodes.map((node) => node.id));
  return {
    nodes,
    edges: edges.rows
      .map((edge) => ({ from: String(edge.depends_on_id), to: String(edge.job_id) }))
      .filter((edge) => present.has(edge.from) && present.has(edge.to)),
    truncated,
  };
}
