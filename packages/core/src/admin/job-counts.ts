import { sql } from 'kysely';
import type { JobState } from '../store/job.js';
import type { AdminContext } from './admin-context.js';

/**
 * Jobs per type and state, for the overview and the per-type page. Never a scan of history:
 *
 * - queued and waiting: job_queue, grouped (a sequential scan of the hot table, which holds only
 *   jobs not yet claimed; a backlog of a million jobs costs ~100 ms here — the one count whose
 *   cost grows with the data, and only with what is waiting, never with history);
 * - running: job_running, grouped (thousands of rows at most);
 * - succeeded, failed, cancelled: the sums of the job_stats rollups per type (its primary key
 *   `(minute, type_id, worker)`; one row per type, worker and minute, folded into one per type and
 *   minute, then per hour after two days: a few thousand rows a day whatever the throughput).
 *
 * The finished counts are therefore counts of finishes, not of the rows kept: they stay after
 * retention prunes a job, include ephemeral jobs (`retention: 0`, which keep no history), and a
 * job that is retried or re-run and finishes again is counted again. They are exact and live
 * (bumped in the transaction that finishes the jobs).
 */

/** One count of a type in a state. */
export interface JobCount {
  typeId: number;
  state: JobState;
  count: number;
}

export interface JobCountParams {
  /** Only these types (all when absent). */
  typeIds?: readonly number[];
}

export async function jobCountByTypeAndState(context: AdminContext, params: JobCountParams = {}): Promise<JobCount[]> {
  const { tables } = context;
  const typeIds = params.typeIds?.length ? params.typeIds : null;
  const ofTypes = (column: string) => (typeIds ? sql`${sql.ref(column)} = any(${sql.val(typeIds)}::int[])` : sql`true`);
  const { rows } = await sql<{ type_id: number; state: JobState; count: string }>`
    select q.type_id, case when q.pending_dependencies > 0 then 'waiting' else 'queued' end as state, count(*) as count
    from ${tables.jobQueue} q where ${ofTypes('q.type_id')} group by 1, 2
    union all
    select r.type_id, 'running', count(*) from ${tables.jobRunning} r where ${ofTypes('r.type_id')} group by 1
    union all
    select f.type_id, f.state, f.count from (
      select s.type_id, sum(s.succeeded) as succeeded, sum(s.failed) as failed, sum(s.cancelled) as cancelled
      from ${tables.jobStats} s where ${ofTypes('s.type_id')} group by s.type_id
    ) t cross join lateral (values (t.type_id, 'succeeded', t.succeeded), (t.type_id, 'failed', t.failed), (t.type_id, 'cancelled', t.cancelled)) as f(type_id, state, count)
    where f.count > 0`.execute(context.db);
  return rows
    .map((row) => ({ typeId: row.type_id, state: row.state, count: Number(row.count) }))
    .sort((left, right) => left.typeId - right.typeId || left.state.localeCompare(right.state));
}
