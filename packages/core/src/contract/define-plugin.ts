import { JobbyError } from '../errors.js';
import type { AnyPluginJobs } from './define-jobs.js';
import type { PluginModuleClass } from './module.js';

/** A whole plugin: its job types and its module class. `jobby codegen` finds these by type. */
export interface PluginDefinition<
  TJobs extends AnyPluginJobs = AnyPluginJobs,
  TModule extends PluginModuleClass<TJobs> = PluginModuleClass<TJobs>,
> {
  readonly kind: 'jobby.plugin';
  readonly name: TJobs['plugin'];
  readonly jobs: TJobs;
  /** The module class itself (not only its interface), so that `jobby codegen` can locate and check it. */
  readonly module: TModule;
}

/**
 * Any plugin's definition, whatever its job types and module class (a `PluginDefinition<SteamJobs>`
 * is not assignable to the default `PluginDefinition`, because handler registries are invariant in
 * the plugin's job types). Registries hold these.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the module class of any plugin: its type parameter is contravariant in use (workers(registry)), so unknown would accept none
export type AnyPluginDefinition = PluginDefinition<AnyPluginJobs, any>;

export interface DefinePluginOptions<TJobs extends AnyPluginJobs, TModule extends PluginModuleClass<TJobs> = PluginModuleClass<TJobs>> {
  readonly jobs: TJobs;
  readonly module: TModule;
}

/**
 * Declares a plugin. Export the result from the package's entry so that `jobby codegen` finds it.
 *
 * @example
 * ```ts
 * export const steamPlugin = definePlugin({ jobs: steamJobs, module: SteamModule });
 * ```
 */
export function definePlugin<TJobs extends AnyPluginJobs, TModule extends PluginModuleClass<TJobs>>(
  options: DefinePluginOptions<TJobs, TModule>,
): PluginDefinition<TJobs, TModule> {
  if (options.jobs?.kind !== 'jobby.plugin-jobs') {
    throw new JobbyError('REGISTRY_INVALID', 'definePlugin({ jobs }) needs the result of defineJobs()');
  }
  if (typeof options.module?.initialize !== 'function') {
    throw new JobbyError('REGISTRY_INVALID', `plugin "${options.jobs.plugin}": its module class needs a static initialize(context)`);
  }
  return Object.freeze({ kind: 'jobby.plugin', name: options.jobs.plugin, jobs: options.jobs, module: options.module });
}
