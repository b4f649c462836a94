import { sql } from 'kysely';
import { JobbyError } from '../errors.js';
import type { JobState } from './job.js';
import type { StoreContext } from './store-context.js';
import type { AnyKysely } from '../contract/any-kysely.js';

/**
 * What people do to jobs from the admin UI and the CLI: cancel, retry, run now, and re-run a job
 * with its whole subtree (jobby's backfill). Each is one transaction; the SQL is in
 * src/store/sql/job-cancel.sql and job-reset.sql.
 */

type Executor = AnyKysely;

export interface CancelResult {
  /** False when the job had already finished. */
  cancelled: boolean;
  previousState: JobState;
  cancelledDescendants: string[];
}

/** Cancels a queued, waiting or running job and its waiting descendants. A running handler is aborted. */
export async function jobCancel(context: StoreContext, id: string, reason = 'cancelled by a person'): Promise<CancelResult> {
  assertJobId(id);
  const { rows } = await sql<{ previous_state: JobState | null; cancelled: boolean; cancelled_descendants: string[] | null }>`
    select previous_state, cancelled, cancelled_descendants
    from ${context.tables.fn('job_cancel')}(${id}::bigint, ${reason}::text, ${context.cancelChannel}::text)`.execute(context.db);
  const row = rows[0];
  if (!row?.previous_state) throw new JobbyError('JOB_NOT_FOUND', `job ${id} does not exist`, { details: { id } });
  return { cancelled: row.cancelled, previousState: row.previous_state, cancelledDescendants: (row.cancelled_descendants ?? []).map(String) };
}

/**
 * Retries a failed or cancelled job with fresh attempts, and revives the descendants that were
 * cancelled because of it.
 */
export async function jobRetry(context: StoreContext, id: string): Promise<{ reset: string[] }> {
  const { tables } = context;
  return context.db.transaction().execute(async (transaction) => {
    const current = await lockJob(context, id, transaction);
    if (current.state !== 'failed' && current.state !== 'cancelled') {
      throw new JobbyError('INVALID_ARGUMENT', `job ${id} is ${current.state}; only failed or cancelled jobs can be retried`);
    }
    const { rows } = await sql<{ id: string }>`
      with recursive revived(id) as (
        select ${id}::bigint
        union
        select d.job_id from ${tables.jobDependencies} d join revived r on d.depends_on_id = r.id
        join ${tables.jobSnapshots} j on j.id = d.job_id
        where j.state = 'cancelled' and j.last_error ->> 'code' = 'DEPENDENCY_FAILED'
      )
      select id from revived`.execute(transaction);
    return { reset: await resetJobs(context, rows.map((row) => String(row.id)), transaction) };
  });
}

/** Re-runs a finished job and every job downstream of it, whatever their state. */
export async function jobRerun(context: StoreContext, id: string): Promise<{ reset: string[] }> {
  const { tables } = context;
  return context.db.transaction().execute(async (transaction) => {
    await lockJob(context, id, transaction);
    const { rows } = await sql<{ id: string }>`
      with recursive subtree(id) as (
        select ${id}::bigint
        union
        select d.job_id from ${tables.jobDependencies} d join subtree s on d.depends_on_id = s.id
      )
      select id from subtree`.execute(transaction);
    return { reset: await resetJobs(context, rows.map((row) => String(row.id)), transaction) };
  });
}

/** Makes a queued job (waiting for its run-at time or backoff) runnable now. */
export async function jobRunNow(context: StoreContext, id: string): Promise<boolean> {
  assertJobId(id);
  const { rows } = await sql<{ done: boolean }>`
    select ${context.tables.fn('job_run_now')}(${id}::bigint, ${context.jobsChannel}::text) as done`.execute(context.db);
  return rows[0]?.done === true;
}

function assertJobId(id: string): void {
  if (!/^\d{1,18}$/.test(id)) throw new JobbyError('INVALID_ARGUMENT', `job id ${JSON.stringify(id)} is not a number`);
}

/** Locks the job's record (as every operation on one job does) and reads its state. */
async function lockJob(context: StoreContext, id: string, executor: Executor): Promise<{ state: JobState }> {
  assertJobId(id);
  const { rows } = await sql<{ id: string }>`select id from ${context.tables.jobs} where id = ${id} for update`.execute(executor);
  if (!rows[0]) throw new JobbyError('JOB_NOT_FOUND', `job ${id} does not exist`, { details: { id } });
  const state = await sql<{ state: JobState | null }>`select state from ${context.tables.jobSnapshots} where id = ${id}`.execute(executor);
  const found = state.rows[0]?.state;
  if (!found) throw new JobbyError('ROW_MALFORMED', `job ${id} has a record but no state (rows deleted around jobby's store?)`, { details: { jobId: id } });
  return { state: found };
}

/**
 * Puts jobs back to a fresh, never-run state (job_reset). Returns them all: those whose
 * dependencies failed outside the set are cancelled again at once, with the reason.
 */
async function resetJobs(context: StoreContext, ids: readonly string[], executor: Executor): Promise<string[]> {
  await sql`select count(*) from ${context.tables.fn('job_reset')}(${sql.val(ids)}::bigint[], ${context.jobsChannel}::text)`.execute(executor);
  return [...ids];
}

/**
 * The store's housekeeping (job_maintain, sql/job-prune.sql), by one process at a time: creates
 * the next partition of history ahead of need, deletes finished jobs whose retention has passed
 * (whole partitions of history where every job in them has expired, then up to `limit` jobs one
 * by one), and folds the per-minute counters. Returns the jobs deleted (0 when another process
 * was at it).
 */
export async function jobPruneExpired(context: StoreContext, params: { limit?: number } = {}): Promise<number> {
  const { rows } = await sql<{ pruned: string | null }>`
    select ${context.tables.fn('job_maintain')}(${params.limit ?? 10_000}::integer) as pruned`.execute(context.db);
  return Number(rows[0]?.pruned ?? 0);
}
