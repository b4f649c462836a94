import { JobbyError } from '../errors.js';
import type { AnyPluginJobs } from './define-jobs.js';
import type { PluginModuleClass } from './module.js';

/** A whole plugin: its job types and its module class. `jobby codegen` finds these by type. */
export interface PluginDefinition<TJobs extends AnyPluginJobs = AnyPluginJobs> {
  readonly kind: 'jobby.plugin';
  readonly name: TJobs['plugin'];
  readonly jobs: TJobs;
  readonly module: PluginModuleClass<TJobs>;
}

export interface DefinePluginOptions<TJobs extends AnyPluginJobs> {
  readonly jobs: TJobs;
  readonly module: PluginModuleClass<TJobs>;
}

/**
 * Declares a plugin. Export the result from the package's entry so that `jobby codegen` finds it.
 *
 * @example
 * ```ts
 * export const steamPlugin = definePlugin({ jobs: steamJobs, module: SteamModule });
 * ```
 */
export function definePlugin<TJobs extends AnyPluginJobs>(options: DefinePluginOptions<TJobs>): PluginDefinition<TJobs> {
  if (options.jobs?.kind !== 'jobby.plugin-jobs') {
    throw new JobbyError('REGISTRY_INVALID', 'definePlugin({ jobs }) needs the result of defineJobs()');
  }
  if (typeof options.module?.initialize !== 'function') {
    throw new JobbyError('REGISTRY_INVALID', `plugin "${options.jobs.plugin}": its module class needs a static initialize(context)`);
  }
  return Object.freeze({ kind: 'jobby.plugin', name: options.jobs.plugin, jobs: options.jobs, module: options.module });
}
