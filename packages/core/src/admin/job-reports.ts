import { sql } from 'kysely';
import type { AdminContext } from './admin-context.js';

/**
 * What handlers reported (`context.progress`, `context.log`; src/store/sql/job-report.sql): the
 * log lines of a job's attempts, and the progress of running jobs. Lines are read by
 * job_logs_job_idx, progress by job_running_pkey.
 */

export interface JobLogLine {
  /** The attempt's number within its cycle (as `JobAttempt.attempt`). */
  attempt: number;
  /** The attempt it belongs to, as `JobAttempt.number` counts them across the job's history. */
  attemptNumber: number;
  /** 1, 2, 3 … within the attempt. */
  line: number;
  /** When the handler wrote it (its worker's clock). */
  at: Date;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  /** The JSON data the handler passed with it, or null. */
  data: unknown;
}

export interface JobLogListParams {
  jobId: string;
  /** The newest lines kept when a job has more (several attempts of 1,000 lines). Default 5,000. */
  limit?: number;
}

export interface JobLogListResult {
  /** In order: by attempt, then as written. */
  lines: JobLogLine[];
  /** Lines the job has; more than `lines.length` when older ones were left out. */
  total: number;
}

/**
 * A job's log lines, the newest `limit`. An attempt number repeats after a person's retry (its
 * attempts count from 1 again): a line belongs to the first attempt of its number that ended after
 * the line was written (job_logs.written_at, the database clock), or to the running one.
 *
 * @example
 * ```ts
 * const { lines } = await admin.jobLogList({ jobId: '42' });
 * for (const line of lines) console.log(`#${line.attemptNumber} ${line.at.toISOString()} ${line.level} ${line.message}`);
 * ```
 */
export async function jobLogList(context: AdminContext, params: JobLogListParams): Promise<JobLogListResult> {
  const { tables } = context;
  const id = sql`${params.jobId}::bigint`;
  const limit = params.limit ?? 5_000;
  const { rows } = await sql<{ attempt: number; number: string; line: number; at: Date; level: JobLogLine['level']; message: string; data: unknown; total: string }>`
    with attempts as (
      select a.attempt, a.finished_at, row_number() over (order by a.running, a.finished_at, a.attempt) as number
      from (
        select o.attempt, o.finished_at, 0 as running from ${tables.jobOutcomes} o where o.job_id = ${id}
        union all
        select r.attempt, null, 1 from ${tables.jobRunning} r where r.job_id = ${id}
      ) a
    ),
    lines as (
      select l.attempt, l.line, l.at, l.level, l.message, l.data,
             coalesce((select min(a.number) from attempts a
                       where a.attempt = l.attempt and (a.finished_at is null or a.finished_at >= l.written_at)), 0) as number
      from ${tables.jobLogs} l where l.job_id = ${id}
    )
    select l.*, count(*) over () as total from lines l order by l.number desc, l.line desc limit ${limit}`.execute(context.db);
  return {
    lines: rows.reverse().map((row) => ({
      attempt: row.attempt,
      attemptNumber: Number(row.number),
      line: row.line,
      at: row.at,
      level: row.level,
      message: row.message,
      data: row.data ?? null,
    })),
    total: rows.length === 0 ? 0 : Number(rows[0]!.total),
  };
}

export interface JobProgress {
  jobId: string;
  /** 0–1. */
  progress: number;
  message: string | null;
}

/**
 * The progress of running jobs, for those whose handler reported any (a Running page's bars).
 *
 * @example
 * ```ts
 * const running = await admin.jobList({ states: ['running'], limit: 100 });
 * const progress = await admin.jobRunningProgress({ jobIds: running.jobs.map((job) => job.id) });
 * ```
 */
export async function jobRunningProgress(context: AdminContext, params: { jobIds: readonly string[] }): Promise<JobProgress[]> {
  if (params.jobIds.length === 0) return [];
  const { rows } = await sql<{ job_id: string; progress: number; progress_message: string | null }>`
    select r.job_id::text as job_id, r.progress, r.progress_message from ${context.tables.jobRunning} r
    where r.job_id = any(${sql.val(params.jobIds)}::bigint[]) and r.progress is not null`.execute(context.db);
  return rows.map((row) => ({ jobId: String(row.job_id), progress: row.progress, message: row.progress_message }));
}
