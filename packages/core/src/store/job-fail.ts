import { sql } from 'kysely';
import type { StoredError } from './job.js';
import { bigintArrayLiteral } from './array-parameters.js';
import { cancelDescendants } from './job-cascade.js';
import { runningByPrimaryKey } from './running-by-primary-key.js';
import type { StoreContext } from './store-context.js';

/**
 * Fails a batch of attempts. Fenced like completion: only rows still `running` under the same
 * attempt token change. A retryable failure with attempts left goes back to `queued` after an
 * exponential backoff with jitter, computed from the database clock:
 * `min(max, base × 2^(attempt−1)) × uniform(0.5, 1)`. Otherwise the job fails for good and its
 * waiting descendants are cancelled. Each attempt is written to the attempt history.
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
  const { tables } = context;
  const payload = JSON.stringify(
    jobs.map((job) => ({
      id: job.id,
      token: job.attemptToken,
      error: job.error,
      retryable: job.retryable,
      outcome: job.outcome ?? 'failed',
      backoff_base_ms: job.backoffBaseMs ?? defaultBackoffBaseMs,
      backoff_max_ms: job.backoffMaxMs ?? defaultBackoffMaxMs,
      run_ms: job.runMs ?? null,
    })),
  );
  return context.db.transaction().execute(async (transaction) => {
    const { rows } = await sql<{ id: string; state: 'queued' | 'failed' }>`
      with input as (
        select * from jsonb_to_recordset(${payload}::jsonb)
          as t(id bigint, token bigint, error jsonb, retryable boolean, outcome text, backoff_base_ms double precision, backoff_max_ms double precision, run_ms double precision)
      ),
      updated as (
        update ${tables.jobs} j
        set state = case when i.retryable and j.attempts < j.max_attempts then 'queued' else 'failed' end::${tables.jobState},
            run_at = case when i.retryable and j.attempts < j.max_attempts
                          then now() + least(i.backoff_max_ms, i.backoff_base_ms * power(2, least(j.attempts - 1, 40)))
                                       * (0.5 + random() * 0.5) * interval '1 millisecond'
                          else j.run_at end,
            last_error = i.error,
            -- The handler's start (the attempt history takes it from here); see migration 0006.
            started_at = coalesce(now() - i.run_ms * interval '1 millisecond', j.started_at),
            lease_expires_at = null,
            finished_at = case when i.retryable and j.attempts < j.max_attempts then null else now() end,
            expires_at = case when not (i.retryable and j.attempts < j.max_attempts) and j.retention_seconds is not null
                              then now() + make_interval(secs => j.retention_seconds) end
        from input i
        where j.id = i.id and j.attempt_token = i.token and ${runningByPrimaryKey(bigintArrayLiteral(jobs.map((job) => job.id)))}
        returning j.id, j.state, j.attempts, j.worker_id, j.started_at, i.error, i.outcome
      ),
      history as (
        insert into ${tables.jobAttempts} (job_id, attempt, worker_id, started_at, outcome, error)
        select id, attempts, worker_id, started_at, outcome, error from updated
        returning 1
      )
      select id, state, (select count(*) from history) as recorded from updated`.execute(transaction);
    const retried = rows.filter((row) => row.state === 'queued').map((row) => String(row.id));
    const failed = rows.filter((row) => row.state === 'failed').map((row) => String(row.id));
    const written = new Set([...retried, ...failed]);
    const cancelledDescendants = await cancelDescendants(context, failed, transaction);
    return { retried, failed, stale: jobs.filter((job) => !written.has(job.id)).map((job) => job.id), cancelledDescendants };
  });
}
