import { sql } from 'kysely';
import type { StoreContext } from './store-context.js';
import { compareJobIds } from './job.js';
import { bigintArrayLiteral, jsonbArrayParameter, numberArrayLiteral, optionalColumn } from './array-parameters.js';
import { jobEnqueueMany, type EnqueueJobParams } from './job-enqueue.js';
import type { AnyKysely } from '../contract/any-kysely.js';

/**
 * Completes a batch of attempts successfully, in one call of the `job_complete_many` function
 * (migrations/0003_worker_functions.sql; since 0006 with the handlers' run times):
 *
 * 1. one fenced UPDATE marks the batch succeeded (or queued again, for jobs that asked to run again),
 *    storing outputs. Only rows still `running` under the same attempt token change: a worker that
 *    lost its lease gets its ids back as `stale`, and nothing it sent is written;
 * 2. a second statement, with a fresh snapshot, readies their dependents whose dependencies have now
 *    all succeeded (work proportional to the dependents).
 *
 * Jobs whose handlers submitted jobs (actions) get those enqueued in the same transaction.
 *
 * One round trip, and Postgres plans both statements once per session, with settings that pin the
 * plans to primary-key and dependency-index lookups: work proportional to the batch and its
 * dependents, whatever the table's statistics say (see the migration for what the planner did
 * otherwise on a fresh table).
 */

export interface CompleteJobParams {
  id: string;
  attemptToken: string;
  /** The output, serialized; `null` for none. */
  outputJson: string | null;
  /** Queue the job again at this time instead of finishing it (jobby's "run again later"). */
  runAgainAt?: Date;
  /** Like `runAgainAt`, this many milliseconds after the completion, on the database clock. */
  runAgainInMs?: number;
  /** Jobs the handler submitted, enqueued atomically with this success. */
  submissions?: readonly EnqueueJobParams[];
  /**
   * How long the handler ran, in milliseconds: started_at becomes the completion's time minus
   * this (migration 0006), so that time spent in a worker's prefetch buffer is not run time.
   * Without it, started_at stays the claim's time.
   */
  runMs?: number;
}

export interface CompleteResult {
  completed: string[];
  /** Attempts whose lease was lost (rescued, cancelled, or completed by someone else). */
  stale: string[];
}

type Executor = AnyKysely;

export async function jobCompleteMany(context: StoreContext, jobs: readonly CompleteJobParams[]): Promise<CompleteResult> {
  if (jobs.length === 0) return { completed: [], stale: [] };
  if (!jobs.some((job) => (job.submissions?.length ?? 0) > 0)) return outcome(jobs, await markSucceeded(context, jobs, context.db));
  return context.db.transaction().execute(async (transaction) => {
    const stale = await markSucceeded(context, jobs, transaction);
    const submissions = jobs.filter((job) => !stale.has(job.id)).flatMap((job) => job.submissions ?? []);
    if (submissions.length > 0) await jobEnqueueMany(context, submissions, transaction);
    return outcome(jobs, stale);
  });
}

function outcome(jobs: readonly CompleteJobParams[], stale: ReadonlySet<string>): CompleteResult {
  if (stale.size === 0) return { completed: jobs.map((job) => job.id), stale: [] };
  return { completed: jobs.filter((job) => !stale.has(job.id)).map((job) => job.id), stale: [...stale] };
}

/** Steps 1 and 2; returns the ids NOT completed (stale). */
async function markSucceeded(context: StoreContext, batch: readonly CompleteJobParams[], executor: Executor): Promise<Set<string>> {
  // In id order, the order in which enqueues lock dependencies (see the migration).
  const jobs = [...batch].sort((a, b) => compareJobIds(a.id, b.id));
  const outputs = optionalColumn(jobs, (job) => job.outputJson ?? undefined);
  const outputBytes = numberArrayLiteral(optionalColumn(jobs, (job) => (job.outputJson === null ? undefined : Buffer.byteLength(job.outputJson))));
  const { rows } = await sql<{ id: string }>`
    select stale_id as id from ${context.tables.fn('job_complete_many')}(
      ${bigintArrayLiteral(jobs.map((job) => job.id))}::bigint[],
      ${bigintArrayLiteral(jobs.map((job) => job.attemptToken))}::bigint[],
      ${jsonbArrayParameter(outputs)},
      ${outputBytes}::integer[],
      ${optionalColumn(jobs, (job) => job.runAgainAt?.toISOString())}::timestamptz[],
      ${numberArrayLiteral(optionalColumn(jobs, (job) => job.runAgainInMs))}::float8[],
      ${numberArrayLiteral(optionalColumn(jobs, (job) => job.runMs))}::float8[],
      ${context.jobsChannel}::text
    ) as stale_id`.execute(executor);
  return new Set(rows.map((row) => String(row.id)));
}
