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
  readonly logger: Logger;
}

/** A worker's function: receives the typed input, returns the typed output. */
export type JobHandler<TInput, TOutput> = (context: JobContext<TInput>) => Promise<TOutput> | TOutput;
