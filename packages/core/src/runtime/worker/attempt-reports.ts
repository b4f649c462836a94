import type { AttemptLog } from '../../contract/handler.js';
import { JobbyError } from '../../errors.js';
import type { ClaimedJob } from '../../store/job-claim.js';
import type { AttemptLogLevel, AttemptLogLine, AttemptReportParams } from '../../store/job-report.js';
import type { JobStore } from '../../store/job-store.js';

/**
 * What handlers report while they run: progress (`context.progress(0.4, 'message')`) and log lines
 * kept with the attempt (`context.log('…')`, `context.log.warn('…', data)`).
 *
 * The hot path first: an attempt's report is made on the handler's first call, so a handler that
 * never reports costs nothing (no object, no write; closing it is one check of an empty map).
 * Calls only change memory. One timer per worker writes every attempt that reported since the
 * last write, in one statement (`job_report_many`), at most every `intervalMs` (500 ms); an
 * attempt that reported is written once more before its outcome, which then copies the progress
 * to the outcome row. Writes are serialized (lines keep their order) and best effort: a write
 * that fails loses those lines (reported once per failure), never the outcome.
 *
 * Bounds, per attempt: at most 1,000 lines and 64 KiB of text (messages and their data as JSON,
 * UTF-8). Further lines are refused: the first refused line is replaced by one marker line
 * (level `warn`) saying that the limit was reached, and nothing more is kept. A progress message
 * is cut at 1,000 characters.
 */

export const maxLogLines = 1_000;
export const maxLogBytes = 64 * 1024;
export const maxProgressMessageLength = 1_000;

export interface AttemptReportsParams {
  store: Pick<JobStore, 'jobReportMany'>;
  reportError: (error: unknown, during: string) => void;
  /** Longest time a report waits before it is written. Default 500 ms. */
  intervalMs?: number;
}

/** One running attempt's report: what the handler said since the last write, and its budget. */
export class AttemptReport {
  private progressValue: number | undefined;
  private progressMessage: string | null = null;
  private pendingLines: AttemptLogLine[] = [];
  private lineCount = 0;
  private byteCount = 0;
  private full = false;
  closed = false;
  private logFunction: AttemptLog | undefined;

  constructor(
    private readonly job: ClaimedJob,
    private readonly reports: AttemptReports,
  ) {}

  progress(fraction: number, message?: string): void {
    if (typeof fraction !== 'number' || !Number.isFinite(fraction) || fraction < 0 || fraction > 1) {
      throw new JobbyError('INVALID_ARGUMENT', `progress takes a fraction from 0 to 1 (0.4 for 40 %), not ${describe(fraction)}`);
    }
    if (message !== undefined && typeof message !== 'string') {
      throw new JobbyError('INVALID_ARGUMENT', `progress takes a message string, not ${describe(message)}`);
    }
    if (this.closed) return;
    this.progressValue = fraction;
    this.progressMessage = message === undefined ? null : message.slice(0, maxProgressMessageLength);
    this.reports.changed(this);
  }

  /** `log('…')` at level info, and `log.debug|info|warn|error('…', data?)`. */
  get log(): AttemptLog {
    if (this.logFunction) return this.logFunction;
    const log = ((message: string, data?: unknown) => this.append('info', message, data)) as AttemptLog;
    for (const level of ['debug', 'info', 'warn', 'error'] as const) log[level] = (message: string, data?: unknown) => this.append(level, message, data);
    return (this.logFunction = log);
  }

  private append(level: AttemptLogLevel, message: string, data: unknown): void {
    if (typeof message !== 'string') throw new JobbyError('INVALID_ARGUMENT', `log takes a message string, not ${describe(message)}`);
    let dataJson: string | undefined;
    if (data !== undefined) {
      try {
        dataJson = JSON.stringify(data);
      } catch (error) {
        throw new JobbyError('INVALID_ARGUMENT', `log data must be JSON-serializable: ${(error as Error).message}`);
      }
    }
    if (this.closed || this.full) return;
    const bytes = Buffer.byteLength(message) + (dataJson === undefined ? 0 : Buffer.byteLength(dataJson));
    if (this.lineCount >= maxLogLines || this.byteCount + bytes > maxLogBytes) {
      this.full = true;
      this.push('warn', `log limit reached (${maxLogLines.toLocaleString('en-US')} lines or ${maxLogBytes / 1024} KiB per attempt): later lines of this attempt are not kept`);
      return;
    }
    this.byteCount += bytes;
    this.push(level, message, dataJson === undefined ? undefined : (JSON.parse(dataJson) as unknown));
  }

  private push(level: AttemptLogLevel, message: string, data?: unknown): void {
    this.lineCount++;
    this.pendingLines.push({ line: this.lineCount, at: new Date(), level, message, ...(data === undefined ? {} : { data }) });
    this.reports.changed(this);
  }

  /** What to write now; resets what is pending. */
  take(): AttemptReportParams {
    const params: AttemptReportParams = { id: this.job.id, attemptToken: this.job.attemptToken };
    if (this.progressValue !== undefined) {
      params.progress = this.progressValue;
      params.progressMessage = this.progressMessage;
      this.progressValue = undefined;
    }
    if (this.pendingLines.length > 0) {
      params.lines = this.pendingLines;
      this.pendingLines = [];
    }
    return params;
  }
}

/** A worker's reports: made on first use, written in batches (see the header). */
export class AttemptReports {
  private readonly open = new Map<ClaimedJob, AttemptReport>();
  private readonly dirty = new Set<AttemptReport>();
  private timer: NodeJS.Timeout | undefined;
  private writes: Promise<void> = Promise.resolve();
  private readonly intervalMs: number;

  constructor(private readonly params: AttemptReportsParams) {
    this.intervalMs = params.intervalMs ?? 500;
  }

  /** The report of a running attempt, made on the handler's first call. */
  reportOf(job: ClaimedJob): AttemptReport {
    let report = this.open.get(job);
    if (!report) this.open.set(job, (report = new AttemptReport(job, this)));
    return report;
  }

  /** @internal A report has something to write: written within `intervalMs`. */
  changed(report: AttemptReport): void {
    this.dirty.add(report);
    if (this.timer) return;
    this.timer = setTimeout(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /**
   * The attempt has ended: its report takes nothing more. Resolves once what it reported is
   * written (before its outcome is); undefined, at no cost, when it reported nothing.
   */
  close(job: ClaimedJob): Promise<void> | undefined {
    if (this.open.size === 0) return undefined;
    const report = this.open.get(job);
    if (!report) return undefined;
    this.open.delete(job);
    report.closed = true;
    return this.flush();
  }

  /** Writes every report with something pending, in one statement; resolves when written. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dirty.size === 0) return this.writes;
    const batch = [...this.dirty].map((report) => report.take());
    this.dirty.clear();
    // Never rejects: a lost report must not hold back an outcome.
    this.writes = this.writes
      .then(() => this.params.store.jobReportMany(batch))
      .then(noop, (error: unknown) => this.params.reportError(error, 'writing progress and log lines'));
    return this.writes;
  }
}

function noop(): void {}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return typeof value;
}
