import type { Logger } from 'pino';
import type { InputOf, JobTypeKey, OutputOf } from './job-type-map.js';

/** Options for submitting a job; every field is optional. */
export interface SubmitOptions {
  /** Allowed attempts (1 = no retry). Defaults to the worker default (25). */
  maxAttempts?: number;
  /** Jobs that must succeed first: `plugin.Job` names or handles, with their keys. */
  dependsOn?: readonly DependencyReference[];
  /** Earliest time to run: a `Date` within years 1–9999 (UTC). */
  runAt?: Date;
  /** Higher runs first: an integer from -1,000,000 to 1,000,000 (`minPriority`–`maxPriority`). Default 0. */
  priority?: number;
  /** Finished jobs are pruned after this many seconds, an integer 0–2,147,483,647 (default: keep). */
  retentionSeconds?: number;
}

export interface DependencyReference {
  type: JobTypeKey;
  key: string;
}

/** The output of one dependency, as the handler receives it. */
export interface DependencyResult {
  /** `plugin.Job`. */
  type: string;
  key: string;
  output: unknown;
}

/**
 * What a handler may do that takes effect atomically with its success (jobby's Actions). If the
 * attempt fails or its lease was lost, none of it happens.
 */
export interface JobActions {
  /** Submits another job when this one succeeds. */
  submit<TKey extends JobTypeKey>(type: TKey, key: string, input: InputOf<TKey>, options?: SubmitOptions): void;
  /** Submits a job that depends on this one (it also waits for any `options.dependsOn`). */
  submitDependent<TKey extends JobTypeKey>(type: TKey, key: string, input: InputOf<TKey>, options?: SubmitOptions): void;
  /** Runs this job again later: after success it is queued again at `at` with fresh attempts. */
  runAgainAt(at: Date): void;
  /** Like {@link runAgainAt}, `milliseconds` from the completion time (database clock). */
  runAgainIn(milliseconds: number): void;
}

/** Facts about the running attempt. */
export interface JobInfo {
  id: string;
  /** `plugin.Job`. */
  type: string;
  key: string;
  /** 1 for the first attempt. */
  attempt: number;
  maxAttempts: number;
}

/**
 * Log lines kept with the attempt and shown on the admin's job page (not the process log: that is
 * `logger`). `log('…')` writes at level info; `data` is any JSON-serializable value. At most 1,000
 * lines and 64 KiB per attempt: later lines are refused, with one marker line saying so.
 *
 * @example
 * ```ts
 * registry.register(BillingJob.Import, 'importer', async ({ input, log }) => {
 *   log(`importing ${input.rows.length} rows`);
 *   log.warn('row skipped: no customer id', { row: 17 });
 * });
 * ```
 */
export interface AttemptLog {
  (message: string, data?: unknown): void;
  debug(message: string, data?: unknown): void;
  info(message: string, data?: unknown): void;
  warn(message: string, data?: unknown): void;
  error(message: string, data?: unknown): void;
}

/** What a handler receives. */
export interface JobContext<TInput> {
  readonly job: JobInfo;
  /** The input, validated against the job type's schema. */
  readonly input: TInput;
  /** Outputs of every dependency (all of them succeeded). */
  readonly dependencies: readonly DependencyResult[];
  /**
   * The output of the dependency of the given type (and key, when several share a type), typed by
   * the handle (`steamJobs.refs.FetchAppList`) or by the generated type map (`'steam.FetchAppList'`).
   * Throws `DEPENDENCY_MISSING` when the job has no such dependency.
   */
  dependencyOutput<TKey extends JobTypeKey>(type: TKey, key?: string): OutputOf<TKey>;
  /** Aborted on timeout, cancellation, and shutdown past the grace period. */
  readonly signal: AbortSignal;
  readonly actions: JobActions;
  /** The process log (pino), with the job's id, type, key and attempt. Not kept with the job: see `log`. */
  readonly logger: Logger;
  /**
   * Reports how far the attempt has come: a fraction from 0 to 1 and an optional message (cut at
   * 1,000 characters); anything else throws `INVALID_ARGUMENT`. Shown live on the admin's job and
   * Running pages, and kept with the attempt when it ends. Written in batches, at most every
   * ~500 ms and once before the outcome: call it as often as you like.
   *
   * @example
   * ```ts
   * for (const [index, page] of pages.entries()) {
   *   await importPage(page);
   *   progress((index + 1) / pages.length, `page ${index + 1} of ${pages.length}`);
   * }
   * ```
   */
  progress(fraction: number, message?: string): void;
  /** Log lines kept with the attempt (see {@link AttemptLog}); written like `progress`. */
  readonly log: AttemptLog;
}

/** A worker's function: receives the typed input, returns the typed output. */
export type JobHandler<TInput, TOutput> = (context: JobContext<TInput>) => Promise<TOutput> | TOutput;
