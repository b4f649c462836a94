import { sql, type Kysely } from 'kysely';
import type { StoreContext } from './store-context.js';
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
 */

export interface CompleteJobParams {
  id: string;
  attemptToken: string;
  /** The output, serialized; `null` for none. */
  outputJson: string | null;
  /** Queue the job again at this time instead of finishing it (jobby's "run again later"). */
  runAgainAt?: Date;
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

async function markSucceeded(
  context: StoreContext,
  jobs: readonly CompleteJobParams[],
  executor: Executor,
): Promise<{ id: string; state: string }[]> {
  const parts = jobs.map((job) => {
    const head = JSON.stringify({
      id: job.id,
      token: job.attemptToken,
      output_bytes: job.outputJson === null ? null : Buffer.byteLength(job.outputJson),
      run_again_at: job.runAgainAt?.toISOString() ?? null,
    });
    return `${head.slice(0, -1)},"output":${job.outputJson ?? 'null'}}`;
  });
  const { rows } = await sql<{ id: string; state: string }>`
    with input as (
      select * from jsonb_to_recordset(${`[${parts.join(',')}]`}::jsonb)
        as t(id bigint, token bigint, output jsonb, output_bytes int, run_again_at timestamptz)
    )
    update ${context.tables.jobs} j
    set state = case when i.run_again_at is null then 'succeeded' else 'queued' end::${context.tables.jobState},
        output = case when i.output = 'null'::jsonb then null else i.output end,
        output_bytes = i.output_bytes,
        finished_at = now(),
        lease_expires_at = null,
        last_error = null,
        attempts = case when i.run_again_at is null then j.attempts else 0 end,
        run_at = coalesce(i.run_again_at, j.run_at),
        expires_at = case when i.run_again_at is null and j.retention_seconds is not null
                          then now() + make_interval(secs => j.retention_seconds) end
    from input i
    where j.id = i.id and j.attempt_token = i.token and j.state = 'running'
    returning j.id, j.state`.execute(executor);
  return rows.map((row) => ({ id: String(row.id), state: row.state }));
}

/** Decrements the pending count of the dependents of `ids`; those reaching 0 become queued. */
export async function readyDependents(context: StoreContext, ids: readonly string[], executor: Executor): Promise<number> {
  const { tables } = context;
  const { rows } = await sql<{ readied: number }>`
    with counts as (
      select d.job_id, count(*)::int as n
      from ${tables.jobDependencies} d
      where d.depends_on_id = any(${sql.val(ids)}::bigint[])
      group by d.job_id
    ),
    updated as (
      update ${tables.jobs} j
      set pending_dependencies = j.pending_dependencies - c.n,
          state = case when j.pending_dependencies - c.n <= 0 then 'queued' else 'waiting' end::${tables.jobState},
          ready_at = case when j.pending_dependencies - c.n <= 0 then now() else j.ready_at end
      from counts c
      where j.id = c.job_id and j.state = 'waiting'
      returning j.state
    ),
    readied as (select count(*)::int as readied from updated where state = 'queued'),
    notified as (select pg_notify(${context.jobsChannel}, '') from readied where readied > 0)
    select readied, (select count(*) from notified) as notifications from readied`.execute(executor);
  return rows[0]?.readied ?? 0;
}
