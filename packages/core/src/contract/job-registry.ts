import type { AnyPluginJobs, InputOfValue, JobEnumValue } from './define-jobs.js';
import type { JobTypeKey } from './job-type-map.js';
import type { LimitOptions } from './limit.js';
import type { ScheduleOptions } from './schedule.js';

/** A startup job being described; chain its options. Submitted after every module registered. */
export interface StartupJobBuilder<TJobs extends AnyPluginJobs = AnyPluginJobs> {
  /** Allowed attempts (jobby's `allowed_attempts`). */
  maxAttempts(attempts: number): StartupJobBuilder<TJobs>;
  /**
   * Waits for another job: a value of the plugin's own enum, or a handle (another plugin's job:
   * `defineExternalJob`), or a generated `plugin.Job` name. Call once per dependency.
   */
  dependsOn(jobType: JobEnumValue<TJobs> | JobTypeKey, key: string): StartupJobBuilder<TJobs>;
  runAt(at: Date): StartupJobBuilder<TJobs>;
  /** Higher runs first: an integer from -1,000,000 to 1,000,000. Default 0. */
  priority(priority: number): StartupJobBuilder<TJobs>;
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
  submit<TValue extends JobEnumValue<TJobs>>(jobType: TValue, key: string, input: InputOfValue<TJobs, TValue>): StartupJobBuilder<TJobs>;
  /**
   * Declares a schedule: a job of `jobType` at every fire time of `options.cron`, keyed by its
   * slot (`<name>@<ISO instant>`), so that each slot runs once however many workers run it. See
   * the README's "Schedules" for the catch-up after downtime, time zones and limits.
   *
   * @example
   * ```ts
   * registry.schedule(MetricsJob.Report, { cron: '0 7 * * 1', timezone: 'Europe/Berlin', input: { period: 'week' } });
   * ```
   */
  schedule<TValue extends JobEnumValue<TJobs>>(jobType: TValue, options: ScheduleOptions<InputOfValue<TJobs, TValue>>): void;
  /**
   * Declares the type's limits (issue 19): cluster-wide concurrency, a rate of starts, and a
   * concurrency per group key (the type's `groupKeys` in `defineJobs`). Every worker writes them
   * into the store at start; a value set at run time (`jobby types limit`) wins until cleared
   * (`jobby types limit <type> --clear`). Once per job type. See the README's "Flow control".
   *
   * @example
   * ```ts
   * registry.limit(ShopJob.Import, { concurrency: 20, rate: { limit: 100, intervalMs: 1_000 }, group: { concurrency: 2 } });
   * ```
   */
  limit(jobType: JobEnumValue<TJobs>, options: LimitOptions): void;
}
