import { sql } from 'kysely';
import type { StoredError } from './job.js';
import { bigintArrayLiteral, jsonbArrayParameter, numberArrayLiteral, optionalColumn } from './array-parameters.js';
import type { StoreContext } from './store-context.js';

/**
 * Fails a batch of attempts in one call of `job_fail_many` (src/store/sql/job-fail.sql). Fenced
 * like completion: only attempts still running under the same attempt token are written. A
 * retryable failure with attempts left goes back to the queue after an exponential backoff with
 * jitter, computed from the database clock: `min(max, base × 2^(attempt−1)) × uniform(0.5, 1)`.
 * Otherwise the job fails for good and its waiting descendants are cancelled. Each attempt is
 * written to the history.
 */

export interface FailJobParams {
  id: string;
  attemptToken: string;
  error: StoredError;
  /** False for errors no retry can fix (malformed payload, unknown type). */
  retryable: boolean;
  outcome?: 'failed' | 'timed_out';
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** How long the handler ran, in milliseconds: see CompleteJobParams.runMs. */
  runMs?: number;
}

export interface FailResult {
  /** Queued again for a later attempt. */
  retried: string[];
  /** Failed for good. */
  failed: string[];
  /** Attempts whose lease was lost: nothing written. */
  stale: string[];
  /** Descendants cancelled because a job failed for good. */
  cancelledDescendants: string[];
}

export const defaultBackoffBaseMs = 1_000;
export const defaultBackoffMaxMs = 3_600_000;

export async function jobFailMany(context: StoreContext, jobs: readonly FailJobParams[]): Promise<FailResult> {
  if (jobs.length === 0) return { retried: [], failed: [], stale: [], cancelledDescendants: [] };
  const { rows } = await sql<{ job_id: string; result: 'retried' | 'failed' | 'cancelled' }>`
    select job_id, result from ${context.tables.fn('job_fail_many')}(
      ${bigintArrayLiteral(jobs.map((job) => job.id))}::bigint[],
      ${bigintArrayLiteral(jobs.map((job) => job.attemptToken))}::bigint[],
      ${jsonbArrayParameter(jobs.map((job) => JSON.stringify(job.error)))},
      ${sql.val(jobs.map((job) => job.retryable))}::boolean[],
      ${sql.val(jobs.map((job) => job.outcome ?? 'failed'))}::${context.tables.jobOutcome}[],
      ${numberArrayLiteral(jobs.map((job) => job.backoffBaseMs ?? defaultBackoffBaseMs))}::float8[],
      ${numberArrayLiteral(jobs.map((job) => job.backoffMaxMs ?? defaultBackoffMaxMs))}::float8[],
      ${numberArrayLiteral(optionalColumn(jobs, (job) => job.runMs))}::float8[],
      ${context.jobsChannel}::text
    )`.execute(context.db);
  const of = (result: string) => rows.filter((row) => row.result === result).map((row) => String(row.job_id));
  const retried = of('retried');
  const failed = of('failed');
  const written = new Set([...retried, ...failed]);
  return { retried, failed, stale: jobs.filter((job) => !written.has(job.id)).map((job) => job.id), cancelledDescendants: of('cancelled') };
}
