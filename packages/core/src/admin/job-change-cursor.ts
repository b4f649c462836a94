import { sql } from 'kysely';
import type { AdminContext } from './admin-context.js';

/**
 * A cheap fingerprint of what changed in the queue, for a live console: an admin server reads it
 * about once a second (one statement, however many pages are open) and tells its pages what
 * changed. Each part is a counter that moves when something happens, read without touching a
 * queue table's rows (a sequence reads 0 until its first value is drawn: `last_value` is 1
 * before and after it):
 * - `jobs`: the last id of `jobs_id_seq` (jobs submitted);
 * - `claims`: the last `attempt_token_seq` value (attempts started);
 * - `actions`: the last `admin_actions_id_seq` value (an operator's change);
 * - `controls`: the latest `job_type_controls.updated_at` (pause, limits; a table of one row per type);
 * - `finished`: per job type, the finishes (succeeded, failed, retried, cancelled) of this minute
 *   and the one before from the `job_stats` rollups (its primary key's range on `minute`).
 * Sequences and rollups are read on a replica as well, and on the embedded database, where
 * LISTEN/NOTIFY would not serve: notifications do not reach replicas, and the store notifies
 * only when work becomes ready, not on every finish.
 */

export interface JobChangeCursor {
  jobs: string;
  claims: string;
  actions: string;
  controls: string | null;
  /** Per job type id: finishes this minute and the last (moves when a job of the type finishes). */
  finished: Record<string, number>;
}

export async function jobChangeCursor(context: AdminContext): Promise<JobChangeCursor> {
  const { tables } = context;
  const relation = (name: string) => sql.table(`${tables.schema}.${name}`);
  const { rows } = await sql<{ jobs: string; claims: string; actions: string; controls: string | null; finished: Record<string, number> | null }>`
    select (select case when is_called then last_value else 0 end from ${relation('jobs_id_seq')})::text as jobs,
           (select case when is_called then last_value else 0 end from ${relation('attempt_token_seq')})::text as claims,
           (select case when is_called then last_value else 0 end from ${relation('admin_actions_id_seq')})::text as actions,
           (select max(updated_at) from ${relation('job_type_controls')})::text as controls,
           (select jsonb_object_agg(type_id, finished) from (
              select type_id, sum(succeeded + failed + retried + cancelled)::bigint as finished
              from ${tables.jobStats}
              where minute >= date_trunc('minute', now()) - interval '1 minute'
              group by type_id) recent) as finished`.execute(context.db);
  const row = rows[0]!;
  return { jobs: row.jobs, claims: row.claims, actions: row.actions, controls: row.controls, finished: row.finished ?? {} };
}

/**
 * What moved between two cursors: `jobs` (anything about jobs), the ids of the types with new
 * finishes, `controls`, `actions`. Empty when nothing did.
 *
 * @example
 * ```ts
 * const before = await admin.jobChangeCursor();
 * // … later
 * const changes = jobChanges(before, await admin.jobChangeCursor()); // { jobs: true, typeIds: [7000], controls: false, actions: false }
 * ```
 */
export function jobChanges(before: JobChangeCursor, after: JobChangeCursor): { jobs: boolean; typeIds: number[]; controls: boolean; actions: boolean } {
  const typeIds = Object.keys(after.finished)
    .filter((typeId) => after.finished[typeId] !== before.finished[typeId])
    .map(Number);
  return {
    jobs: before.jobs !== after.jobs || before.claims !== after.claims || before.actions !== after.actions || typeIds.length > 0,
    typeIds,
    controls: before.controls !== after.controls,
    actions: before.actions !== after.actions,
  };
}
