import type { AnyPluginJobs, InputOfValue, JobEnumValue } from './define-jobs.js';
import type { JobTypeKey } from './job-type-map.js';

/** A startup job being described; chain its options. Submitted after every module registered. */
export interface StartupJobBuilder {
  /** Allowed attempts (jobby's `allowed_attempts`). */
  maxAttempts(attempts: number): StartupJobBuilder;
  /**
   * Waits for another job: the plugin's own enum value, or a `plugin.Job` name / handle of any
   * plugin. Call once per dependency.
   */
  dependsOn(jobType: number | JobTypeKey, key: string): StartupJobBuilder;
  runAt(at: Date): StartupJobBuilder;
  /** Higher runs first: an integer from -1,000,000 to 1,000,000. Default 0. */
  priority(priority: number): StartupJobBuilder;
}

/**
 * Where a module declares the jobs to submit at startup (jobby's `JobRegistry`). Idempotent on
 * (job type, key): a restart never duplicates them.
 *
 * @example
 * ```ts
 * registry.submit(SteamJob.FetchAppList, 'sentinel', { url }).maxAttempts(19);
 * registry.submit(SteamJob.ProcessAppList, 'sentinel', {}).dependsOn(SteamJob.FetchAppList, 'sentinel').maxAttempts(7);
 * ```
 */
export interface JobRegistry<TJobs extends AnyPluginJobs = AnyPluginJobs> {
  readonly plugin: TJobs['plugin'];
  submit<TValue extends JobEnumValue<TJobs>>(jobType: TValue, key: string, input: InputOfValue<TJobs, TValue>): StartupJobBuilder;
}
