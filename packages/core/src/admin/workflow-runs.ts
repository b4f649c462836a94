import { sql } from 'kysely';
import type { JobState } from '../store/job.js';
import type { AdminContext } from './admin-context.js';

/**
 * Workflow runs, newest first: the roots of dependency graphs (jobs that depend on nothing and
 * that something depends on), each with the states of its jobs. Bounded work per page, whatever
 * the number of jobs:
 * - roots: a loose index scan backwards over `job_dependencies_depends_on_idx` from the cursor
 *   (one probe per distinct job that has dependents: "the largest depends_on_id below the last
 *   one"), at most `scanLimit` probes, each checked on `jobs_pkey` for `dependency_count = 0`.
 *   Plain jobs (no dependents) are never visited, so a million of them between two workflows cost
 *   nothing; the parents inside workflows do (a workflow with many intermediate parents uses more
 *   of the scan). When the scan stops before a page is full, the cursor continues from where it
 *   stopped and the page is shorter;
 * - counts: each root's descendants walked along the same index (a recursive CTE, as the
 *   workflow graph does, stopped at `countLimit` jobs: `truncated`), then their states from
 *   job_snapshots (primary-key probes).
 * Measured at 1,105,000 jobs with 2,000 ten-job workflows spread among them (local Postgres, a
 * shared 2-core machine): 25 runs a page, 20 pages, p50 35 ms, p95 107 ms.
 */

export interface WorkflowRun {
  /** The root job. */
  id: string;
  typeId: number;
  key: string;
  createdAt: Date;
  /** Jobs per state, the root included (at most `countLimit` jobs counted). */
  counts: Record<JobState, number>;
  total: number;
  /** More jobs than `countLimit`: the counts are of the first ones, nearest the root. */
  truncated: boolean;
}

export interface WorkflowRunListParams {
  /** Roots below this job id (the last page's `nextCursor`). */
  cursor?: string;
  /** Runs per page, 1–100. */
  limit: number;
  /** Jobs with dependents examined per page. Default 2,000. */
  scanLimit?: number;
  /** Jobs counted per run. Default 1,000. */
  countLimit?: number;
}

export interface WorkflowRunListResult {
  runs: WorkflowRun[];
  /** Where the next page starts; null when the scan reached the oldest job with dependents. */
  nextCursor: string | null;
}

const emptyCounts = (): Record<JobState, number> => ({ queued: 0, waiting: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 });

export async function workflowRunList(context: AdminContext, params: WorkflowRunListParams): Promise<WorkflowRunListResult> {
  const { tables } = context;
  const scanLimit = params.scanLimit ?? 2_000;
  const countLimit = params.countLimit ?? 1_000;
  const below = sql`${params.cursor ?? '9223372036854775807'}::bigint`;
  const { rows: scanned } = await sql<{ id: string; type_id: number | null; key: string | null; created_at: Date | null; root: boolean }>`
    with recursive parents(id, n) as (
      (select depends_on_id, 1 from ${tables.jobDependencies} where depends_on_id < ${below} order by depends_on_id desc limit 1)
      union all
      select (select d.depends_on_id from ${tables.jobDependencies} d where d.depends_on_id < p.id order by d.depends_on_id desc limit 1), p.n + 1
      from parents p where p.id is not null and p.n < ${scanLimit}
    )
    select p.id::text as id, j.type_id, j.key, j.created_at, coalesce(j.dependency_count = 0, false) as root
    from parents p left join ${tables.jobs} j on j.id = p.id
    where p.id is not null
    order by p.id desc`.execute(context.db);
  const roots = scanned.filter((row) => row.root).slice(0, params.limit);
  const exhausted = scanned.length < scanLimit;
  const nextCursor =
    roots.length === params.limit ? roots.at(-1)!.id : exhausted ? null : (scanned.at(-1)?.id ?? null);
  if (roots.length === 0) return { runs: [], nextCursor };
  // The walk first, then the states by primary key: joined to job_snapshots in one statement, the
  // planner hashed the whole records table (0.4 s a page at a million jobs).
  const { rows: members } = await sql<{ root: string; id: string }>`
    select r.root::text as root, w.id::text as id
    from unnest(${sql.val(roots.map((row) => row.id))}::bigint[]) as r(root)
    cross join lateral (
      select r.root as id
      union all
      (with recursive down(id) as (
         select job_id from ${tables.jobDependencies} where depends_on_id = r.root
         union
         select d.job_id from down cross join lateral (
           select job_id from ${tables.jobDependencies} where depends_on_id = down.id offset 0) d
       )
       select id from down limit ${countLimit})
    ) w`.execute(context.db);
  const { rows: states } = await sql<{ id: string; state: JobState | null }>`
    select s.id::text as id, s.state from ${tables.jobSnapshots} s
    where s.id = any(${sql.val([...new Set(members.map((member) => member.id))])}::bigint[])`.execute(context.db);
  const stateById = new Map(states.map((row) => [String(row.id), row.state]));
  const counts = new Map(roots.map((row) => [row.id, { counts: emptyCounts(), total: 0, walked: 0 }]));
  for (const member of members) {
    const entry = counts.get(String(member.root))!;
    entry.walked++;
    const state = stateById.get(String(member.id));
    if (!state) continue;
    entry.counts[state]++;
    entry.total++;
  }
  return {
    runs: roots.map((row) => ({
      id: row.id,
      typeId: row.type_id!,
      key: row.key!,
      createdAt: row.created_at!,
      counts: counts.get(row.id)!.counts,
      total: counts.get(row.id)!.total,
      truncated: counts.get(row.id)!.walked > countLimit,
    })),
    nextCursor,
  };
}
