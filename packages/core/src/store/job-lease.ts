import { sql } from 'kysely';
import { bigintArrayLiteral } from './array-parameters.js';
import type { StoreContext } from './store-context.js';

/**
 * Leases (src/store/sql/job-lease.sql). A running job's lease is extended by its worker's
 * heartbeat; a worker that dies stops extending it, and any process's sweep hands the job back
 * once the lease has expired (recovery bound: lease + sweep interval). Handing back on shutdown
 * does not count the attempt.
 */

export interface HeldJob {
  id: string;
  attemptToken: string;
}

/** Extends the leases still held; returns the ids still held (the others were lost or cancelled). */
export async function jobLeaseExtend(context: StoreContext, params: { jobs: readonly HeldJob[]; leaseSeconds: number }): Promise<string[]> {
  if (params.jobs.length === 0) return [];
  const { rows } = await sql<{ id: string }>`
    select id from ${context.tables.fn('job_lease_extend')}(
      ${bigintArrayLiteral(params.jobs.map((job) => job.id))}::bigint[], ${bigintArrayLiteral(params.jobs.map((job) => job.attemptToken))}::bigint[],
      ${params.leaseSeconds}::float8) as id`.execute(context.db);
  return rows.map((row) => String(row.id));
}

export interface RescueResult {
  requeued: string[];
  failed: string[];
  cancelledDescendants: string[];
}

/** Hands back jobs whose lease expired: queued again, or failed when no attempt is left. */
export async function jobLeaseRescueExpired(context: StoreContext, params: { limit?: number } = {}): Promise<RescueResult> {
  const { rows } = await sql<{ job_id: string; result: 'requeued' | 'failed' | 'cancelled' }>`
    select job_id, result from ${context.tables.fn('job_lease_rescue_expired')}(${params.limit ?? 1000}::integer, ${context.jobsChannel}::text)`.execute(
    context.db,
  );
  const of = (result: string) => rows.filter((row) => row.result === result).map((row) => String(row.job_id));
  return { requeued: of('requeued'), failed: of('failed'), cancelledDescendants: of('cancelled') };
}

/** Gives running jobs back to the queue without counting the attempt (graceful shutdown). */
export async function jobHandBack(context: StoreContext, jobs: readonly HeldJob[]): Promise<string[]> {
  if (jobs.length === 0) return [];
  const { rows } = await sql<{ id: string }>`
    select id from ${context.tables.fn('job_hand_back')}(
      ${bigintArrayLiteral(jobs.map((job) => job.id))}::bigint[], ${bigintArrayLiteral(jobs.map((job) => job.attemptToken))}::bigint[],
      ${context.jobsChannel}::text) as id`.execute(context.db);
  return rows.map((row) => String(row.id));
}
