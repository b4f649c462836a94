import type { Logger } from 'pino';
import type { JobCreationMode, WorkerCreationMode } from './creation-mode.js';
import type { AnyPluginJobs } from './define-jobs.js';
import type { JobRegistry } from './job-registry.js';
import type { WorkerRegistry } from './worker-registry.js';
import type { AnyKysely } from './any-kysely.js';

/** What a module's initializer receives. */
export interface ModuleContext {
  /** The jobby database (Kysely over Postgres or the embedded PGlite). */
  readonly db: AnyKysely;
  /** A logger bound to the plugin's name. */
  readonly logger: Logger;
  /** This plugin's section of the configuration (`plugins.<name>`), and nothing else. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Where a plugin may keep local files (sinks, caches): `<data dir>/<plugin>`. */
  readonly dataDirectory: string;
}

/**
 * The module interface a plugin implements (jobby's `Module` trait): register workers and startup
 * jobs for the given creation modes.
 */
export interface PluginModule<TJobs extends AnyPluginJobs = AnyPluginJobs> {
  workers(registry: WorkerRegistry<TJobs>, mode: WorkerCreationMode): void | Promise<void>;
  jobs(registry: JobRegistry<TJobs>, mode: JobCreationMode): void | Promise<void>;
  /** Called once when the process stops. */
  close?(): void | Promise<void>;
}

/** The module class: its static `initialize` builds the module from the context. */
export interface PluginModuleClass<TJobs extends AnyPluginJobs = AnyPluginJobs> {
  initialize(context: ModuleContext): PluginModule<TJobs> | Promise<PluginModule<TJobs>>;
}
