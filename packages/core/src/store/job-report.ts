import { sql } from 'kysely';
import { bigintArrayLiteral, jsonbArrayParameter, numberArrayLiteral, optionalColumn } from './array-parameters.js';
import type { StoreContext } from './store-context.js';

/**
 * Progress and log lines of running attempts (src/store/sql/job-report.sql), written in batches by
 * the worker (runtime/worker/attempt-reports.ts) and fenced by the attempt token.
 */

/** A log line as a handler wrote it (`context.log`). */
export interface AttemptLogLine {
  /** 1, 2, 3 … within the attempt. */
  line: number;
  /** When the handler wrote it (the worker's clock). */
  at: Date;
  level: AttemptLogLevel;
  message: string;
  /** JSON-serializable details, if the handler passed any. */
  data?: unknown;
}

export type AttemptLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface AttemptReportParams {
  id: string;
  attemptToken: string;
  /** The latest progress, 0–1; undefined leaves the stored progress as it is. */
  progress?: number;
  /** Goes with `progress` (null clears the message). */
  progressMessage?: string | null;
  /** Lines written since the last report, in order. */
  lines?: readonly AttemptLogLine[];
}

/** Writes a batch of reports in one statement; returns the ids written (the others are stale). */
export async function jobReportMany(context: StoreContext, reports: readonly AttemptReportParams[]): Promise<string[]> {
  if (reports.length === 0) return [];
  const progress = numberArrayLiteral(optionalColumn(reports, (report) => report.progress));
  const messages = reports.map((report) => report.progressMessage ?? null);
  const lines = optionalColumn(reports, (report) => (report.lines?.length ? JSON.stringify(report.lines) : undefined));
  const { rows } = await sql<{ id: string }>`
    select id from ${context.tables.fn('job_report_many')}(
      ${bigintArrayLiteral(reports.map((report) => report.id))}::bigint[],
      ${bigintArrayLiteral(reports.map((report) => report.attemptToken))}::bigint[],
      ${progress}::real[], ${sql.val(messages)}::text[], ${jsonbArrayParameter(lines)}) as id`.execute(context.db);
  return rows.map((row) => String(row.id));
}
