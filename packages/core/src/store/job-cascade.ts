import { sql, type Kysely } from 'kysely';
import type { StoreContext } from './store-context.js';

/**
 * When a job fails for good or is cancelled, every job that (transitively) waits on it can never
 * run: cancel them now, each with a reason naming the job that failed. Only `waiting` jobs are
 * touched; the walk follows job_dependencies' index from the roots, so its cost is the size of the
 * subtree, not of the table.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function cancelDescendants(context: StoreContext, rootIds: readonly string[], executor: Kysely<any>): Promise<string[]> {
  if (rootIds.length === 0) return [];
  const { tables } = context;
  const { rows } = await sql<{ id: string }>`
    with recursive descendants(id, root_id) as (
      select d.job_id, d.depends_on_id from ${tables.jobDependencies} d where d.depends_on_id = any(${sql.val(rootIds)}::bigint[])
      union
      select d.job_id, x.root_id from ${tables.jobDependencies} d join descendants x on d.depends_on_id = x.id
    ),
    targets as (select distinct on (id) id, root_id from descendants order by id, root_id),
    roots as (
      select r.id, t.name || ':' || r.key as label, r.state
      from ${tables.jobs} r join ${tables.jobTypes} t on t.id = r.type_id
      where r.id = any(${sql.val(rootIds)}::bigint[])
    ),
    cancelled as (
      update ${tables.jobs} j
      set state = 'cancelled',
          pending_dependencies = 0,
          finished_at = now(),
          expires_at = case when j.retention_seconds is not null then now() + make_interval(secs => j.retention_seconds) end,
          last_error = jsonb_build_object(
            'code', 'DEPENDENCY_FAILED',
            'message', 'dependency ' || roots.label || case when roots.state = 'failed' then ' failed' else ' was cancelled' end,
            'details', jsonb_build_object('dependencyId', roots.id::text))
      from targets t join roots on roots.id = t.root_id
      where j.id = t.id and j.state = 'waiting'
      returning j.id
    )
    select id from cancelled`.execute(executor);
  return rows.map((row) => String(row.id));
}
