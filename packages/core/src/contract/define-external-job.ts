import { JobbyError } from '../errors.js';
import type { JobTypeRef } from './define-jobs.js';
import type { Payload } from './payload.js';

/** A `plugin.Job` name, as a type. */
export type QualifiedJobName = `${string}.${string}`;

export interface DefineExternalJobOptions<TName extends QualifiedJobName, TInput, TOutput> {
  /** The other plugin's job type, `plugin.Job`. */
  readonly name: TName;
  /** The input as this package submits it (omit when it only depends on the job). */
  readonly input?: Payload<TInput>;
  /** The part of the output this package reads: its own view, not the other plugin's type. */
  readonly output?: Payload<TOutput>;
}

const qualifiedNamePattern = /^[a-z][a-z0-9_-]{0,62}\.[A-Za-z_$][\w$]*$/;

/**
 * A typed handle on another plugin's job type, without importing that plugin (plugins depend only
 * on `@jobby/core`). Use it wherever a handle goes: `.dependsOn(handle, key)`,
 * `dependencyOutput(handle)`, `client.submit(handle, …)`. The worker refuses to start when the
 * name is not in its registry, so a typo fails at startup, not when the job runs.
 *
 * @example
 * ```ts
 * interface AppListStatsView { total: number; unique: number }
 * export const steamProcessAppList = defineExternalJob({ name: 'steam.ProcessAppList', output: payload<AppListStatsView>() });
 * registry.submit(MetricsJob.BuildWeeklyReport, 'weekly', { title }).dependsOn(steamProcessAppList, 'sentinel');
 * const stats = dependencyOutput(steamProcessAppList); // AppListStatsView
 * ```
 */
export function defineExternalJob<const TName extends QualifiedJobName, TInput = unknown, TOutput = unknown>(
  options: DefineExternalJobOptions<TName, TInput, TOutput>,
): JobTypeRef<TName, TInput, TOutput> {
  const name = options.name;
  if (typeof name !== 'string' || !qualifiedNamePattern.test(name)) {
    throw new JobbyError('INVALID_ARGUMENT', `defineExternalJob: name must be a job type written plugin.Job (e.g. steam.FetchAppList), got ${JSON.stringify(name)}`);
  }
  const dot = name.indexOf('.');
  return Object.freeze({ kind: 'jobby.job-type', name, plugin: name.slice(0, dot), job: name.slice(dot + 1), localId: undefined });
}
