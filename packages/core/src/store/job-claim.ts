import { sql } from 'kysely';
import type { JsonValue } from '../contract/json.js';
import type { StoreContext } from './store-context.js';
import { integerArrayLiteral } from './array-parameters.js';

/**
 * Claims up to `limit` ready jobs of the given types in one call of the `job_claim` function
 * (sql/job-claim.sql, which shares the limit fairly between the types and applies their flow
 * controls): pick with `FOR UPDATE SKIP LOCKED` from the partial index of queued jobs, then count the attempt, take the lease and set a fresh attempt token (one per claimed
 * batch: it changes on every claim of a job, which is what fencing needs) in the same
 * statement. Concurrent claimers get disjoint rows. Dependency outputs are returned alongside.
 *
 * A function rather than a query sent each time: Postgres plans it once per session (a fresh query
 * was parsed and planned on every claim, ~1 ms of 5), under the planner settings that keep the plan
 * the ordered walk of `job_queue_type_claim_idx` whatever the statistics say, and it commits without
 * waiting for its WAL flush. Why both are safe and needed: see job-claim.sql.
 */

export interface ClaimJobsParams {
  workerId: string;
  typeIds: readonly number[];
  limit: number;
  leaseSeconds: number;
}

export interface ClaimedDependency {
  typeId: number;
  key: string;
  output: JsonValue | null;
}

/** A claimed job as the database returned it; the runtime decodes and validates its input. */
export interface ClaimedJob {
  id: string;
  typeId: number;
  key: string;
  attempt: number;
  maxAttempts: number;
  attemptToken: string;
  /** Undecoded: a malformed row must fail alone (see the runtime's decoding). */
  input: unknown;
  /** The same for every job of a claimed batch. */
  readonly leaseExpiresAt: Date;
  readonly dependencies: readonly ClaimedDependency[];
}

/**
 * The claimed jobs, and when the claim ran dry (took fewer than its limit): the milliseconds until
 * the earliest future run-at of its types, or null when none is queued. The worker sets a timer for
 * it rather than waiting for its next poll.
 */
export type ClaimedJobs = ClaimedJob[] & { nextRunInMs: number | null };

interface ClaimRow {
  id: string | null;
  type_id: number;
  key: string;
  attempts: number;
  max_attempts: number;
  attempt_token: string;
  input: unknown;
  lease_expires_at: number;
  dependencies: { type_id: number; key: string; output: JsonValue | null }[] | null;
}

const noDependencies: readonly ClaimedDependency[] = Object.freeze([]);

/** Not enumerable: the result compares and spreads as the plain list of jobs it is. */
function withNextRun(jobs: ClaimedJob[], nextRunInMs: number | null): ClaimedJobs {
  return Object.defineProperty(jobs, 'nextRunInMs', { value: nextRunInMs, enumerable: false }) as ClaimedJobs;
}

export async function jobClaim(context: StoreContext, params: ClaimJobsParams): Promise<ClaimedJobs> {
  if (params.limit <= 0 || params.typeIds.length === 0) return withNextRun([], null);
  const { rows } = await sql<ClaimRow>`
    select * from ${context.tables.fn('job_claim')}(
      ${integerArrayLiteral(params.typeIds)}::integer[], ${params.limit}::integer, ${params.workerId}::text, ${params.leaseSeconds}::float8
    )`.execute(context.db);
  // A last row with a null id carries the milliseconds until the next run-at (see job-claim.sql).
  let nextRunInMs: number | null = null;
  if (rows.length > 0 && rows[rows.length - 1]!.id === null) nextRunInMs = Math.max(0, Number(rows.pop()!.lease_expires_at));
  if (rows.length === 0) return withNextRun([], nextRunInMs);
  // One lease end for the whole batch (the function computes it once).
  const leaseExpiresAt = new Date(Number(rows[0]!.lease_expires_at));
  return withNextRun(rows.map((row) => ({
    id: String(row.id!),
    typeId: row.type_id,
    key: row.key,
    attempt: row.attempts,
    maxAttempts: row.max_attempts,
    attemptToken: String(row.attempt_token),
    input: row.input,
    leaseExpiresAt,
    dependencies: row.dependencies ? row.dependencies.map((dependency) => ({ typeId: dependency.type_id, key: dependency.key, output: dependency.output })) : noDependencies,
  })), nextRunInMs);
}
