import type { AnyPluginJobs, InputOfValue, JobEnumValue, OutputOfValue } from './define-jobs.js';
import type { JobHandler } from './handler.js';

/** How one worker runs its job type. */
export interface WorkerOptions {
  /** Jobs of this type run at once in this process. Default 10. */
  concurrency?: number;
  /** Poll interval when no notification arrives, in milliseconds. Default 2000. */
  pollIntervalMs?: number;
  /** Random extra delay added to each poll, 0–1 as a fraction of the interval. Default 0.25. */
  pollJitter?: number;
  /** An attempt is aborted and failed after this long. Default: none. */
  timeoutMs?: number;
  /** Base of the exponential retry backoff, in milliseconds. Default 1000. */
  backoffBaseMs?: number;
  /** Longest retry delay, in milliseconds. Default 1 hour. */
  backoffMaxMs?: number;
}

/**
 * Where a module registers the workers of its own job types (jobby's `WorkerRegistry`). Handlers are
 * typed from the plugin's declarations.
 *
 * @example
 * ```ts
 * registry.register(SteamJob.FetchAppList, 'app_list_fetcher', async ({ input, signal }) => {
 *   const response = await fetch(input.url, { signal });
 *   return { apps: await response.json() };
 * }, { timeoutMs: 5_000 });
 * ```
 */
export interface WorkerRegistry<TJobs extends AnyPluginJobs = AnyPluginJobs> {
  /** The plugin this registry belongs to. */
  readonly plugin: TJobs['plugin'];
  /**
   * Registers the handler of one job type under a worker name unique in the process.
   * @throws JobbyError `DUPLICATE_WORKER` for a repeated name or job type.
   */
  register<TValue extends JobEnumValue<TJobs>>(
    jobType: TValue,
    name: string,
    handler: JobHandler<InputOfValue<TJobs, TValue>, OutputOfValue<TJobs, TValue>>,
    options?: WorkerOptions,
  ): void;
}
