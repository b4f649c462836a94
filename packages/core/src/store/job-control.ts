import { sql, type Kysely } from 'kysely';
import { JobbyError } from '../errors.js';
import type { JobState } from './job.js';
import { cancelDescendants } from './job-cascade.js';
import type { StoreContext } from './store-context.js';

/**
 * What people do to jobs from the admin UI and the CLI: cancel, retry, run now, and re-run a job
 * with its whole subtree (jobby's backfill). Each is one transaction.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Executor = Kysely<any>;

export interface CancelResult {
  /** False when the job had already finished. */
  cancelled: boolean;
  previousState: JobState;
  cancelledDescendants: string[];
}

/** Cancels a queued, waiting or running job and its waiting descendants. A running handler is aborted. */
export async function jobCancel(context: StoreContext, id: string, reason = 'cancelled by a person'): Promise<CancelResult> {
  const { tables } = context;
  return context.db.transaction().execute(async (transaction) => {
    const current = await lockJob(context, id, transaction);
    if (current.state === 'succeeded' || current.state === 'failed' || current.state === 'cancelled') {
      return { cancelled: false, previousState: current.state, cancelledDescendants: [] };
    }
    await sql`
      with updated as (
        update ${tables.jobs} j
        set state = 'cancelled', finished_at = now(), lease_expires_at = null, pending_dependencies = 0,
            last_error = jsonb_build_object('code', 'JOB_CANCELLED', 'message', ${reason}::text),
            expires_at = case when j.retention_seconds is not null then now() + make_interval(secs => j.retention_seconds) end
        where j.id = ${id}
        returning j.id, j.attempts, j.worker_id, j.started_at, j.last_error
      )
      insert into ${tables.jobAttempts} (job_id, attempt, worker_id, started_at, outcome, error)
      select id, attempts, worker_id, started_at, 'cancelled', last_error from updated where ${current.state === 'running'}`.execute(transaction);
    if (current.state === 'running') await sql`select pg_notify(${context.cancelChannel}, ${id})`.execute(transaction);
    const cancelledDescendants = await cancelDescendants(context, [id], transaction);
    return { cancelled: true, previousState: current.state, cancelledDescendants };
  });
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
        join ${tables.jobs} j on j.id = d.job_id
        where j.state = 'cancelled' and j.last_error ->> 'code' = 'DEPENDENCY_FAILED'
      )
      select id from revived`.execute(transaction);
    const ids = rows.map((row) => String(row.id));
    await resetJobs(context, ids, transaction);
    return { reset: ids };
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
    const ids = rows.map((row) => String(row.id));
    await resetJobs(context, ids, transaction);
    return { reset: ids };
  });
}

/** Makes a queued job (waiting for its run-at time or backoff) runnable now. */
export async function jobRunNow(context: StoreContext, id: string): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    with updated as (
      update ${context.tables.jobs} set run_at = now() where id = ${id} and state = 'queued' returning id
    ),
    notified as (select pg_notify(${context.jobsChannel}, '') from updated)
    select id, (select count(*) from notified) from updated`.execute(context.db);
  return rows.length > 0;
}

async function lockJob(context: StoreContext, id: string, executor: Executor): Promise<{ state: JobState }> {
  if (!/^\d{1,18}$/.test(id)) throw new JobbyError('INVALID_ARGUMENT', `job id ${JSON.stringify(id)} is not a number`);
  const { rows } = await sql<{ state: JobState }>`select state from ${context.tables.jobs} where id = ${id} for update`.execute(executor);
  const row = rows[0];
  if (!row) throw new JobbyError('JOB_NOT_FOUND', `job ${id} does not exist`, { details: { id } });
  return row;
}

/**
 * Resets jobs to a fresh, never-run state, then recomputes each one's pending dependencies from
 * the states of its dependencies (some of which may be in the same set, and so not succeeded).
 */
async function resetJobs(context: StoreContext, ids: readonly string[], executor: Executor): Promise<void> {
  const { tables } = context;
  const idList = sql.val(ids);
  await sql`
    update ${tables.jobs}
    set state = 'waiting', attempts = 0, attempt_token = null, worker_id = null, lease_expires_at = null,
        output = null, output_bytes = null, last_error = null, started_at = null, finished_at = null,
        ready_at = null, expires_at = null, run_at = now()
    where id = any(${idList}::bigint[])`.execute(executor);
  await sql`
    with counts as (
      select j.id,
             count(p.id) filter (where p.state <> 'succeeded')::int as pending,
             min(p.id) filter (where p.state in ('failed', 'cancelled')) as broken_id
      from ${tables.jobs} j
      left join ${tables.jobDependencies} d on d.job_id = j.id
      left join ${tables.jobs} p on p.id = d.depends_on_id
      where j.id = any(${idList}::bigint[])
      group by j.id
    ),
    updated as (
      update ${tables.jobs} j
      set pending_dependencies = case when c.broken_id is null then c.pending else 0 end,
          state = case when c.broken_id is not null then 'cancelled' when c.pending = 0 then 'queued' else 'waiting' end::${tables.jobState},
          ready_at = case when c.broken_id is null and c.pending = 0 then now() end,
          finished_at = case when c.broken_id is not null then now() end,
          last_error = case when c.broken_id is not null then jsonb_build_object(
            'code', 'DEPENDENCY_FAILED', 'message', 'a dependency (job ' || c.broken_id || ') failed or was cancelled',
            'details', jsonb_build_object('dependencyId', c.broken_id::text)) end
      from counts c
      where j.id = c.id
      returning j.state
    ),
    notified as (select pg_notify(${context.jobsChannel}, '') from (select 1 from updated where state = 'queued' limit 1) as any_queued)
    select (select count(*) from updated), (select count(*) from notified)`.execute(executor);
}

/** Deletes finished jobs whose retention has passed, oldest first, `limit` at a time. */
export async function jobPruneExpired(context: StoreContext, params: { limit?: number } = {}): Promise<number> {
  const { tables } = context;
  const { rows } = await sql<{ pruned: number }>`
    with expired as (
      select id, type_id, key from ${tables.jobs}
      where expires_at < now() and state in ('succeeded', 'failed', 'cancelled')
      order by expires_at limit ${params.limit ?? 10_000}
      for update skip locked
    ),
    deleted as (delete from ${tables.jobs} j using expired e where j.id = e.id returning 1),
    -- Their identities go with them (no foreign key does it: see migration 0004), found through
    -- job_keys' primary key (migration 0007); the key can be submitted again.
    keys_deleted as (delete from ${tables.jobKeys} k using expired e where k.type_id = e.type_id and k.key = e.key and k.job_id = e.id)
    select count(*)::int as pruned from deleted`.execute(context.db);
  return rows[0]?.pruned ?? 0;
}
