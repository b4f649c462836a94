import { sql } from 'kysely';
import { toStoredError, type JobRow } from '../store/job-row.js';
import type { JobState, StoredError } from '../store/job.js';
import type { AdminContext } from './admin-context.js';

/**
 * One job for the detail page, its attempts, its neighbours and its payloads. Every read is a
 * handful of primary-key or job-id probes: the job from job_snapshots (jobs_pkey, job_queue_pkey,
 * job_running_pkey, job_outcomes_job_idx), its attempts from job_outcomes_job_idx, its
 * neighbours from job_dependencies' primary key (dependencies) and
 * job_dependencies_depends_on_idx (dependents), each neighbour's state from job_snapshots.
 */

export interface JobDetail {
  id: string;
  typeId: number;
  key: string;
  state: JobState;
  priority: number;
  runAt: Date;
  attempts: number;
  maxAttempts: number;
  workerId: string | null;
  leaseExpiresAt: Date | null;
  pendingDependencies: number;
  dependencyCount: number;
  inputBytes: number;
  outputBytes: number | null;
  lastError: StoredError | null;
  createdAt: Date;
  readyAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  expiresAt: Date | null;
  retentionSeconds: number | null;
  /** The first start since the job last became ready (a retry makes it ready again). */
  firstStartedAt: Date | null;
  /** The database clock when read (durations of running jobs are measured against it). */
  databaseNow: Date;
  /** The payloads as JSON text: their size, and pretty-printed text cut at `previewBytes`. */
  input: PayloadPreview;
  /** Null while the job has no output (not finished, failed, or a null output). */
  output: PayloadPreview | null;
}

export interface PayloadPreview {
  /** Bytes of the stored JSON text. */
  textBytes: number;
  /** Pretty-printed when it fits `previewBytes`, else its first `previewBytes` characters. */
  preview: string;
}

export interface JobDetailParams {
  jobId: string;
  /** Longest payload text shown. Default 64 KiB. */
  previewBytes?: number;
}

/** A job_snapshots row (the store's JobRow) without its payloads, with what the detail adds. */
interface DetailRow extends Omit<JobRow, 'state' | 'attempt_token' | 'input' | 'output'> {
  state: JobState | null;
  first_started_at: Date | null;
  database_now: Date;
  input_text_bytes: number;
  input_preview: string;
  output_text_bytes: number | null;
  output_preview: string | null;
}

export async function jobDetail(context: AdminContext, params: JobDetailParams): Promise<JobDetail | undefined> {
  const { tables } = context;
  const previewBytes = params.previewBytes ?? 64 * 1024;
  const { rows } = await sql<DetailRow>`
    select s.id::text as id, s.type_id, s.key, s.state, s.priority, s.run_at, s.attempts, s.max_attempts, s.worker_id, s.lease_expires_at,
           s.pending_dependencies, s.dependency_count, s.input_bytes, s.output_bytes, s.last_error, s.created_at, s.ready_at,
           s.started_at, s.finished_at, s.expires_at, s.retention_seconds, now() as database_now,
           (select min(a.started_at) from (
              select o.started_at from ${tables.jobOutcomes} o where o.job_id = s.id and o.started_at >= s.ready_at
              union all
              select r.claimed_at from ${tables.jobRunning} r where r.job_id = s.id) a) as first_started_at,
           p.input_text_bytes, p.input_preview, p.output_text_bytes, p.output_preview
    from ${tables.jobSnapshots} s
    cross join lateral (
      select octet_length(s.input::text) as input_text_bytes,
             case when octet_length(s.input::text) <= ${previewBytes} then jsonb_pretty(s.input) else left(s.input::text, ${previewBytes}) end as input_preview,
             octet_length(s.output::text) as output_text_bytes,
             case when octet_length(s.output::text) <= ${previewBytes} then jsonb_pretty(s.output) else left(s.output::text, ${previewBytes}) end as output_preview
    ) p
    where s.id = ${params.jobId}::bigint`.execute(context.db);
  const row = rows[0];
  if (!row || row.state === null) return undefined;
  return {
    id: String(row.id),
    typeId: row.type_id,
    key: row.key,
    state: row.state,
    priority: row.priority,
    runAt: row.run_at,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    workerId: row.worker_id,
    leaseExpiresAt: row.lease_expires_at,
    pendingDependencies: row.pending_dependencies,
    dependencyCount: row.dependency_count,
    inputBytes: row.input_bytes,
    outputBytes: row.output_bytes,
    lastError: toStoredError(row.last_error),
    createdAt: row.created_at,
    readyAt: row.ready_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    expiresAt: row.expires_at,
    retentionSeconds: row.retention_seconds,
    firstStartedAt: row.first_started_at,
    databaseNow: row.database_now,
    input: { textBytes: row.input_text_bytes, preview: row.input_preview },
    output: row.output_preview === null ? null : { textBytes: row.output_text_bytes ?? 0, preview: row.output_preview },
  };
}

/** One attempt: every finished one from job_outcomes, and the running one. */
export interface JobAttempt {
  /** The attempt's number within its cycle: a person's retry or re-run starts again at 1 (the budget of `maxAttempts` is per cycle). */
  attempt: number;
  /** Its place in the job's whole history, 1, 2, 3 … across retries and re-runs: what an operator numbers attempts by. */
  number: number;
  /** Which cycle it belongs to: 1, then one more for each retry or re-run by a person. */
  cycle: number;
  outcome: 'succeeded' | 'running' | 'failed' | 'timed_out' | 'lease_expired' | 'cancelled' | 'handed_back';
  workerId: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: StoredError | null;
  /** What the handler last reported with `context.progress` (0–1), null if it never did. */
  progress: number | null;
  progressMessage: string | null;
}

/**
 * A job's attempts in the order they happened (by finish time), the running one last. A retried
 * or re-run job counts `attempt` from 1 again (its budget starts over); `number` keeps counting
 * across the whole history, and `cycle` says which run of the job an attempt belongs to. Served by job_outcomes_job_idx and
 * job_running_pkey.
 */
export async function jobAttemptList(context: AdminContext, params: { jobId: string }): Promise<JobAttempt[]> {
  const { tables } = context;
  const { rows } = await sql<{
    attempt: number; outcome: JobAttempt['outcome']; worker_id: string | null; started_at: Date | null; finished_at: Date | null; error: unknown;
    progress: number | null; progress_message: string | null;
  }>`
    select a.attempt, a.outcome, w.id as worker_id, a.started_at, a.finished_at, a.error, a.progress, a.progress_message from (
      select o.attempt, o.outcome::text as outcome, o.worker, o.started_at, o.finished_at, o.error, o.progress, o.progress_message, 0 as running
      from ${tables.jobOutcomes} o where o.job_id = ${params.jobId}::bigint
      union all
      select r.attempt, 'running', r.worker, r.claimed_at, null, null, r.progress, r.progress_message, 1
      from ${tables.jobRunning} r where r.job_id = ${params.jobId}::bigint
    ) a left join ${tables.workers} w on w.number = a.worker
    order by a.running, a.finished_at, a.attempt`.execute(context.db);
  let cycle = 1;
  let previous: { attempt: number; outcome: string } | undefined;
  return rows.map((row, index) => {
    // A run whose attempt number does not grow starts a new cycle (a reset puts the count back to
    // 0), except after a hand-back, which gives the same attempt number again. A queued job's
    // cancellation (never started) repeats the last number without being a run.
    if (previous && row.attempt > 0 && row.started_at !== null && (row.attempt < previous.attempt || (row.attempt === previous.attempt && previous.outcome !== 'handed_back'))) cycle++;
    if (row.attempt > 0) previous = { attempt: row.attempt, outcome: row.outcome };
    return {
      attempt: row.attempt,
      number: index + 1,
      cycle,
      outcome: row.outcome,
      workerId: row.worker_id,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      error: toStoredError(row.error),
      progress: row.progress,
      progressMessage: row.progress_message,
    };
  });
}

/** A job linked to another (a dependency or a dependent, a node of a graph). */
export interface JobLink {
  id: string;
  typeId: number;
  key: string;
  state: JobState;
}

export interface JobNeighbours {
  /** The first `limit` jobs it depends on, by id, and how many there are. */
  dependencies: { jobs: JobLink[]; total: number };
  /** The first `limit` jobs that depend on it, by id, and how many there are. */
  dependents: { jobs: JobLink[]; total: number };
}

export async function jobNeighbours(context: AdminContext, params: { jobId: string; limit: number }): Promise<JobNeighbours> {
  const { tables } = context;
  const id = sql`${params.jobId}::bigint`;
  const { rows } = await sql<{ direction: 'dependency' | 'dependent' | 'dependency total' | 'dependent total'; id: string | null; type_id: number | null; key: string | null; state: JobState | null; total: number }>`
    select 'dependency' as direction, s.id::text as id, s.type_id, s.key, s.state, 0 as total
    from (select d.depends_on_id from ${tables.jobDependencies} d where d.job_id = ${id} order by d.depends_on_id limit ${params.limit}) d
    join ${tables.jobSnapshots} s on s.id = d.depends_on_id
    union all
    select 'dependent', s.id::text, s.type_id, s.key, s.state, 0
    from (select d.job_id from ${tables.jobDependencies} d where d.depends_on_id = ${id} order by d.job_id limit ${params.limit}) d
    join ${tables.jobSnapshots} s on s.id = d.job_id
    union all
    select 'dependency total', null, null, null, null, (select count(*) from ${tables.jobDependencies} d where d.job_id = ${id})::int
    union all
    select 'dependent total', null, null, null, null, (select count(*) from ${tables.jobDependencies} d where d.depends_on_id = ${id})::int`.execute(context.db);
  const links = (direction: 'dependency' | 'dependent') =>
    rows
      .filter((row) => row.direction === direction && row.state !== null)
      .map((row) => ({ id: String(row.id), typeId: row.type_id!, key: row.key!, state: row.state! }))
      .sort((left, right) => left.id.length - right.id.length || (left.id < right.id ? -1 : 1));
  const total = (direction: 'dependency total' | 'dependent total') => rows.find((row) => row.direction === direction)?.total ?? 0;
  return {
    dependencies: { jobs: links('dependency'), total: total('dependency total') },
    dependents: { jobs: links('dependent'), total: total('dependent total') },
  };
}

/** A whole payload as JSON text (null: the job has no such payload), with the job's identity. */
export interface JobPayload {
  typeId: number;
  key: string;
  text: string | null;
}

/** The input from the record (jobs_pkey); the output from the job's latest outcome (job_snapshots). */
export async function jobPayload(context: AdminContext, params: { jobId: string; which: 'input' | 'output' }): Promise<JobPayload | undefined> {
  const { tables } = context;
  const query =
    params.which === 'input'
      ? sql<{ text: string | null; key: string; type_id: number }>`select j.input::text as text, j.key, j.type_id from ${tables.jobs} j where j.id = ${params.jobId}::bigint`
      : sql<{ text: string | null; key: string; type_id: number }>`select s.output::text as text, s.key, s.type_id from ${tables.jobSnapshots} s where s.id = ${params.jobId}::bigint`;
  const { rows } = await query.execute(context.db);
  const row = rows[0];
  return row ? { typeId: row.type_id, key: row.key, text: row.text } : undefined;
}
