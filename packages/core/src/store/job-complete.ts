import { sql, type Kysely } from 'kysely';
import type { StoreContext } from './store-context.js';
import { bigintLiteral, numberLiteral, qualified, textLiteral } from './sql-literal.js';
import { jobEnqueueMany, type EnqueueJobParams } from './job-enqueue.js';

/**
 * Completes a batch of attempts successfully.
 *
 * 1. One fenced UPDATE marks the batch succeeded (or queued again, for jobs that asked to run again),
 *    storing outputs. Only rows still `running` under the same attempt token change: a worker that
 *    lost its lease gets its ids back as `stale`, and nothing it sent is written.
 * 2. A second statement in the same transaction readies their dependents whose dependencies have
 *    now all succeeded: work proportional to the dependents, through job_dependencies' index. It
 *    is a separate statement on purpose: under READ COMMITTED it takes a fresh snapshot, so it sees
 *    a dependent enqueued concurrently (which locked this job FOR SHARE, so step 1 waited for it).
 * 3. Jobs whose handlers submitted jobs (actions) get those enqueued in the same transaction.
 *
 * Round trips: a batch without submissions is sent as ONE simple-protocol query holding steps 1
 * and 2 (`context.simpleQuery`: values inlined as checked literals). The statements of one simple
 * query run as one implicit transaction, each with its own snapshot, so step 2 keeps its fresh
 * snapshot. Step 2 cannot read step 1's RETURNING, so it finds "the jobs this batch finished" as
 * the batch's rows now `succeeded` whose row version this very transaction wrote
 * (`xmin = pg_current_xact_id_if_assigned()`): exact, even when a completion is sent twice.
 * That is 1 round trip instead of 4 (BEGIN, two statements, COMMIT). Measured on 20k no-op jobs:
 * see tools/bench/README.md.
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
}

export interface CompleteResult {
  completed: string[];
  /** Attempts whose lease was lost (rescued, cancelled, or completed by someone else). */
  stale: string[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Executor = Kysely<any>;

export async function jobCompleteMany(context: StoreContext, jobs: readonly CompleteJobParams[]): Promise<CompleteResult> {
  if (jobs.length === 0) return { completed: [], stale: [] };
  if (context.simpleQuery && !jobs.some((job) => (job.submissions?.length ?? 0) > 0)) {
    const text = `${markSucceededStatement(context, jobs)};\n${readyDependentsStatement(context, finishedByThisTransaction(context, jobs))}`;
    const [marked] = await context.simpleQuery(text);
    const completed = new Set(marked!.rows.map((row: { id: string }) => String(row.id)));
    return { completed: [...completed], stale: jobs.filter((job) => !completed.has(job.id)).map((job) => job.id) };
  }
  return context.db.transaction().execute(async (transaction) => {
    const marked = await markSucceeded(context, jobs, transaction);
    const completed = marked.map((row) => row.id);
    const done = new Set(completed);
    // A job that runs again later has not finished: its dependents keep waiting for its last run.
    const finished = marked.filter((row) => row.state === 'succeeded').map((row) => row.id);
    if (finished.length > 0) await readyDependents(context, finished, transaction);
    const submissions = jobs.filter((job) => done.has(job.id)).flatMap((job) => job.submissions ?? []);
    if (submissions.length > 0) await jobEnqueueMany(context, submissions, transaction);
    return { completed, stale: jobs.filter((job) => !done.has(job.id)).map((job) => job.id) };
  });
}

/**
 * Step 1 as one statement, values inlined as literals. The batch arrives as parallel arrays
 * (`unnest`), not as a JSON document: jsonb_to_recordset cost ~12 µs per row (6 ms per 500-job
 * batch), unnest a fraction of that. The redundant `j.id in (…)` lets the planner reach the rows
 * through the primary key whatever it estimates (a fresh table can otherwise get a hash join over
 * a full scan).
 */
function markSucceededStatement(context: StoreContext, jobs: readonly CompleteJobParams[]): string {
  const { schema } = context.tables;
  const ids = idList(jobs.map((job) => job.id));
  const tokens = jobs.map((job) => bigintLiteral(job.attemptToken)).join(',');
  const anyOutput = jobs.some((job) => job.outputJson !== null);
  const anyRunAgain = jobs.some((job) => job.runAgainAt !== undefined || job.runAgainInMs !== undefined);
  const outputs = anyOutput ? `array[${jobs.map((job) => (job.outputJson === null ? 'null' : textLiteral(job.outputJson))).join(',')}]::jsonb[]` : 'null::jsonb[]';
  const outputBytes = anyOutput ? `array[${jobs.map((job) => (job.outputJson === null ? 'null' : String(Buffer.byteLength(job.outputJson)))).join(',')}]::int[]` : 'null::int[]';
  const runAgainAt = anyRunAgain ? `array[${jobs.map(runAgainExpression).join(',')}]::timestamptz[]` : 'null::timestamptz[]';
  return `
    update ${qualified(schema, 'jobs')} j
    set state = case when i.run_again_at is null then 'succeeded' else 'queued' end::${qualified(schema, 'job_state')},
        output = case when i.output = 'null'::jsonb then null else i.output end,
        output_bytes = i.output_bytes,
        finished_at = now(),
        lease_expires_at = null,
        last_error = null,
        attempts = case when i.run_again_at is null then j.attempts else 0 end,
        run_at = coalesce(i.run_again_at, j.run_at),
        expires_at = case when i.run_again_at is null and j.retention_seconds is not null
                          then now() + make_interval(secs => j.retention_seconds) end
    from unnest(array[${ids}]::bigint[], array[${tokens}]::bigint[], ${outputs}, ${outputBytes}, ${runAgainAt})
      as i(id, token, output, output_bytes, run_again_at)
    where j.id = i.id and j.attempt_token = i.token and j.state = 'running'
      and j.id in (${ids})
    returning j.id, j.state`;
}

/** When a job asked to run again: an absolute time, or a delay on the database clock. */
function runAgainExpression(job: CompleteJobParams): string {
  if (job.runAgainAt) return `${textLiteral(job.runAgainAt.toISOString())}::timestamptz`;
  if (job.runAgainInMs !== undefined) return `now() + ${numberLiteral(job.runAgainInMs)} * interval '1 millisecond'`;
  return 'null';
}

function idList(ids: readonly string[]): string {
  return ids.map(bigintLiteral).join(',');
}

/** The batch's jobs that step 1 of this same transaction marked succeeded. */
function finishedByThisTransaction(context: StoreContext, jobs: readonly CompleteJobParams[]): string {
  return `select id from ${qualified(context.tables.schema, 'jobs')}
      where id in (${idList(jobs.map((job) => job.id))}) and state = 'succeeded'
        and xmin = pg_current_xact_id_if_assigned()::xid`;
}

/**
 * Step 2: decrements the pending count of the dependents of the jobs `finished` selects (a
 * subquery); those reaching 0 become queued, and workers are notified.
 */
function readyDependentsStatement(context: StoreContext, finished: string): string {
  const { schema } = context.tables;
  return `
    with counts as (
      select d.job_id, count(*)::int as n
      from ${qualified(schema, 'job_dependencies')} d
      where d.depends_on_id in (${finished})
      group by d.job_id
    ),
    updated as (
      update ${qualified(schema, 'jobs')} j
      set pending_dependencies = j.pending_dependencies - c.n,
          state = case when j.pending_dependencies - c.n <= 0 then 'queued' else 'waiting' end::${qualified(schema, 'job_state')},
          ready_at = case when j.pending_dependencies - c.n <= 0 then now() else j.ready_at end
      from counts c
      where j.id = c.job_id and j.state = 'waiting'
      returning j.state
    ),
    readied as (select count(*)::int as readied from updated where state = 'queued'),
    notified as (select pg_notify(${textLiteral(context.jobsChannel)}, '') from readied where readied > 0)
    select readied, (select count(*) from notified) as notifications from readied`;
}

/** Step 1 inside the caller's transaction (the path for batches that submit jobs). */
async function markSucceeded(context: StoreContext, jobs: readonly CompleteJobParams[], executor: Executor): Promise<{ id: string; state: string }[]> {
  const { rows } = await sql.raw<{ id: string; state: string }>(markSucceededStatement(context, jobs)).execute(executor);
  return rows.map((row) => ({ id: String(row.id), state: row.state }));
}

/** Step 2 inside the caller's transaction: readies the dependents of `ids`, returns how many became queued. */
export async function readyDependents(context: StoreContext, ids: readonly string[], executor: Executor): Promise<number> {
  const { rows } = await sql.raw<{ readied: number }>(readyDependentsStatement(context, idList(ids))).execute(executor);
  return rows[0]?.readied ?? 0;
}
