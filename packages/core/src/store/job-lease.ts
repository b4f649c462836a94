import { sql } from 'kysely';
import { bigintArrayLiteral } from './array-parameters.js';
import { cancelDescendants } from './job-cascade.js';
import { runningByPrimaryKey } from './running-by-primary-key.js';
import type { StoreContext } from './store-context.js';

/**
 * Leases. A running job's lease is extended by its worker's heartbeat; a worker that dies stops
 * extending it, and any process's sweep hands the job back once the lease has expired (recovery
 * bound: lease + sweep interval). Handing back on shutdown does not count the attempt.
 */

export interface HeldJob {
  id: string;
  attemptToken: string;
}

/** Extends the leases still held; returns the ids still held (the others were lost or cancelled). */
export async function jobLeaseExtend(context: StoreContext, params: { jobs: readonly HeldJob[]; leaseSeconds: number }): Promise<string[]> {
  if (params.jobs.length === 0) return [];
  const ids = bigintArrayLiteral(params.jobs.map((job) => job.id));
  const { rows } = await sql<{ id: string }>`
    update ${context.tables.jobs} j
    set lease_expires_at = now() + make_interval(secs => ${params.leaseSeconds})
    from unnest(${ids}::bigint[], ${bigintArrayLiteral(params.jobs.map((job) => job.attemptToken))}::bigint[]) as h(id, token)
    where j.id = h.id and j.attempt_token = h.token and ${runningByPrimaryKey(ids)}
    returning j.id`.execute(context.db);
  return rows.map((row) => String(row.id));
}

export interface RescueResult {
  requeued: string[];
  failed: string[];
  cancelledDescendants: string[];
}

/** Hands back jobs whose lease expired: queued again, or failed when no attempt is left. */
export async function jobLeaseRescueExpired(context: StoreContext, params: { limit?: number } = {}): Promise<RescueResult> {
  const { tables } = context;
  return context.db.transaction().execute(async (transaction) => {
    const { rows } = await sql<{ id: string; state: 'queued' | 'failed' }>`
      with expired as (
        select id from ${tables.jobs}
        where state = 'running' and lease_expires_at < now()
        order by lease_expires_at
        limit ${params.limit ?? 1000}
        for update skip locked
      ),
      updated as (
        update ${tables.jobs} j
        -- run_at stays: the job was already due, so it keeps its place instead of queueing behind the backlog.
        set state = case when j.attempts < j.max_attempts then 'queued' else 'failed' end::${tables.jobState},
            lease_expires_at = null,
            last_error = jsonb_build_object('code', 'LEASE_EXPIRED', 'message',
              'worker ' || coalesce(j.worker_id, '(unknown)') || ' stopped renewing its lease (it crashed or lost the database)'),
            finished_at = case when j.attempts < j.max_attempts then null else now() end
        from expired e
        where j.id = e.id
        returning j.id, j.state, j.attempts, j.worker_id, j.started_at, j.last_error
      ),
      history as (
        insert into ${tables.jobAttempts} (job_id, attempt, worker_id, started_at, outcome, error)
        select id, attempts, worker_id, started_at, 'lease_expired', last_error from updated
        returning 1
      ),
      notified as (select pg_notify(${context.jobsChannel}, '') from (select 1 from updated where state = 'queued' limit 1) as any_requeued)
      select id, state, (select count(*) from history) as recorded, (select count(*) from notified) as notifications from updated`.execute(transaction);
    const failed = rows.filter((row) => row.state === 'failed').map((row) => String(row.id));
    const cancelled = await cancelDescendants(context, failed, transaction);
    return { requeued: rows.filter((row) => row.state === 'queued').map((row) => String(row.id)), failed, cancelledDescendants: cancelled };
  });
}

/** Gives running jobs back to the queue without counting the attempt (graceful shutdown). */
export async function jobHandBack(context: StoreContext, jobs: readonly HeldJob[]): Promise<string[]> {
  if (jobs.length === 0) return [];
  const { tables } = context;
  const ids = bigintArrayLiteral(jobs.map((job) => job.id));
  const { rows } = await sql<{ id: string }>`
    with updated as (
      update ${tables.jobs} j
      set state = 'queued', attempts = greatest(j.attempts - 1, 0), lease_expires_at = null
      from unnest(${ids}::bigint[], ${bigintArrayLiteral(jobs.map((job) => job.attemptToken))}::bigint[]) as h(id, token)
      where j.id = h.id and j.attempt_token = h.token and ${runningByPrimaryKey(ids)}
      returning j.id, j.attempts, j.worker_id, j.started_at
    ),
    history as (
      insert into ${tables.jobAttempts} (job_id, attempt, worker_id, started_at, outcome, error)
      select id, attempts + 1, worker_id, started_at, 'handed_back',
             jsonb_build_object('code', 'HANDED_BACK', 'message', 'the worker shut down before the job finished')
      from updated
      returning 1
    ),
    notified as (select pg_notify(${context.jobsChannel}, '') from (select 1 from updated limit 1) as any_handed_back)
    select id, (select count(*) from history) as recorded, (select count(*) from notified) as notifications from updated`.execute(context.db);
  return rows.map((row) => String(row.id));
}
