import path from 'node:path';
import type { Logger } from 'pino';
import type { JobCreationMode, WorkerCreationMode } from '../contract/creation-mode.js';
import type { JobHandler } from '../contract/handler.js';
import type { JobRegistry, StartupJobBuilder } from '../contract/job-registry.js';
import type { JobTypeKey } from '../contract/job-type-map.js';
import { jobTypeNameOf } from '../contract/job-type-map.js';
import type { PluginModule } from '../contract/module.js';
import type { WorkerOptions, WorkerRegistry } from '../contract/worker-registry.js';
import { describeError, isJobbyError, JobbyError } from '../errors.js';
import type { JobbyRegistry, RegisteredJobType, RegistryPluginEntry } from './registry.js';
import { resolveSchedule, type ResolvedSchedule } from './schedule-plan.js';
import { assertGroupable } from './group-key.js';
import type { LimitOptions } from '../contract/limit.js';
import { checkConcurrency, checkRateLimit } from '../store/job-type-controls.js';
import type { AnyKysely } from '../contract/any-kysely.js';

/**
 * Turns the registry's plugins into running modules (jobby's startup loop): initialize each
 * module, let it register its workers and its startup jobs for the given modes. Worker names and
 * job types must be unique across the process.
 */

export interface RegisteredWorker {
  name: string;
  type: RegisteredJobType;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one list holds every job type's handler: the registry checked input and output per type when it was registered
  handler: JobHandler<any, any>;
  options: Required<Omit<WorkerOptions, 'timeoutMs'>> & { timeoutMs: number | undefined };
}

export interface StartupJob {
  type: RegisteredJobType;
  key: string;
  input: unknown;
  maxAttempts?: number;
  priority?: number;
  runAt?: Date;
  dependsOn: { type: string; key: string }[];
}

/** The limits a module declared for one job type (`JobRegistry.limit`), checked. */
export interface DeclaredLimit {
  type: RegisteredJobType;
  concurrency?: number;
  rate?: { limit: number; intervalMs: number };
  groupConcurrency?: number;
}

/** A schedule a module declared (`JobRegistry.schedule`), checked. */
export interface DeclaredSchedule extends ResolvedSchedule {
  type: RegisteredJobType;
}

export interface LoadedModules {
  workers: RegisteredWorker[];
  startupJobs: StartupJob[];
  schedules: DeclaredSchedule[];
  limits: DeclaredLimit[];
  modules: { plugin: RegistryPluginEntry; module: PluginModule }[];
}

export interface LoadModulesOptions {
  registry: JobbyRegistry;
  db: AnyKysely;
  logger: Logger;
  workersMode: WorkerCreationMode;
  jobsMode: JobCreationMode;
  /** Only these plugins (by name); all when unset. */
  plugins?: readonly string[];
  /** Per-plugin configuration sections. */
  config?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  dataDirectory: string;
  defaults: { concurrency: number; pollIntervalMs: number; pollJitter: number; backoffBaseMs: number; backoffMaxMs: number };
}

export async function loadModules(options: LoadModulesOptions): Promise<LoadedModules> {
  const { registry } = options;
  const selected = options.plugins ? new Set(options.plugins) : undefined;
  if (selected) {
    const unknown = [...selected].filter((name) => !registry.plugins.some((plugin) => plugin.name === name));
    if (unknown.length > 0) {
      throw new JobbyError('CONFIGURATION_INVALID', `unknown plugin${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known: ${registry.plugins.map((plugin) => plugin.name).join(', ')}`);
    }
  }
  const workers: RegisteredWorker[] = [];
  const workersByName = new Map<string, RegisteredWorker>();
  const workersByType = new Map<number, RegisteredWorker>();
  const startupJobs: StartupJob[] = [];
  const schedules: DeclaredSchedule[] = [];
  const limits: DeclaredLimit[] = [];
  const modules: LoadedModules['modules'] = [];

  for (const plugin of registry.plugins) {
    if (selected && !selected.has(plugin.name)) continue;
    const logger = options.logger.child({ plugin: plugin.name });
    const typeOf = (value: unknown, method: string): RegisteredJobType => {
      if (typeof value !== 'number') throw new JobbyError('INVALID_ARGUMENT', `plugin "${plugin.name}": ${method} takes a value of its job enum, got ${JSON.stringify(value)}`);
      const type = registry.byLocal(plugin.name, value);
      if (!type) throw new JobbyError('UNKNOWN_JOB_TYPE', `plugin "${plugin.name}": ${method} got ${value}, which is not a value of its job enum`);
      return type;
    };
    const workerRegistry: WorkerRegistry = {
      plugin: plugin.name,
      register(jobType, name, handler, workerOptions = {}) {
        const type = typeOf(jobType, 'WorkerRegistry.register');
        const existingName = workersByName.get(name);
        if (existingName) {
          throw new JobbyError('DUPLICATE_WORKER', `worker name "${name}" is registered twice: for ${existingName.type.fullName} and for ${type.fullName}`);
        }
        const existingType = workersByType.get(type.id);
        if (existingType) {
          throw new JobbyError('DUPLICATE_WORKER', `${type.fullName} has two workers: "${existingType.name}" and "${name}"`);
        }
        if (typeof handler !== 'function') throw new JobbyError('INVALID_ARGUMENT', `worker "${name}" needs a handler function`);
        const worker: RegisteredWorker = {
          name,
          type,
          handler: handler as RegisteredWorker['handler'],
          options: {
            concurrency: positiveInteger(workerOptions.concurrency, options.defaults.concurrency, `worker "${name}" concurrency`),
            pollIntervalMs: positiveInteger(workerOptions.pollIntervalMs, options.defaults.pollIntervalMs, `worker "${name}" pollIntervalMs`),
            pollJitter: workerOptions.pollJitter ?? options.defaults.pollJitter,
            timeoutMs: workerOptions.timeoutMs === undefined ? undefined : positiveInteger(workerOptions.timeoutMs, 0, `worker "${name}" timeoutMs`),
            backoffBaseMs: workerOptions.backoffBaseMs ?? options.defaults.backoffBaseMs,
            backoffMaxMs: workerOptions.backoffMaxMs ?? options.defaults.backoffMaxMs,
          },
        };
        workers.push(worker);
        workersByName.set(name, worker);
        workersByType.set(type.id, worker);
      },
    };
    const jobRegistry: JobRegistry = {
      plugin: plugin.name,
      submit(jobType, key, input) {
        const job: StartupJob = { type: typeOf(jobType, 'JobRegistry.submit'), key, input, dependsOn: [] };
        startupJobs.push(job);
        const builder: StartupJobBuilder = {
          maxAttempts(attempts) {
            job.maxAttempts = attempts;
            return builder;
          },
          dependsOn(dependency: number | JobTypeKey, dependencyKey) {
            const name = typeof dependency === 'number' ? typeOf(dependency, 'StartupJobBuilder.dependsOn').fullName : jobTypeNameOf(dependency as string);
            job.dependsOn.push({ type: name, key: dependencyKey });
            return builder;
          },
          runAt(at) {
            job.runAt = at;
            return builder;
          },
          priority(priority) {
            job.priority = priority;
            return builder;
          },
        };
        return builder;
      },
      schedule(jobType, scheduleOptions) {
        const type = typeOf(jobType, 'JobRegistry.schedule');
        const schedule: DeclaredSchedule = { ...resolveSchedule(scheduleOptions, type.fullName), type };
        if (schedules.some((other) => other.type.id === type.id && other.name === schedule.name)) {
          throw new JobbyError('CONFIGURATION_INVALID', `${type.fullName} has two schedules named "${schedule.name}"; give each its own name: schedule(…, { name })`);
        }
        schedules.push(schedule);
      },
      limit(jobType, limitOptions) {
        limits.push(resolveLimit(typeOf(jobType, 'JobRegistry.limit'), limitOptions, limits));
      },
    };
    let module: PluginModule;
    try {
      module = await plugin.definition.module.initialize({
        db: options.db,
        logger,
        config: options.config?.[plugin.name] ?? {},
        dataDirectory: path.join(options.dataDirectory, plugin.name),
      });
      await module.workers(workerRegistry, options.workersMode);
      await module.jobs(jobRegistry, options.jobsMode);
    } catch (error) {
      throw JobbyError.wrap(error, 'CONFIGURATION_INVALID', `plugin "${plugin.name}" (${plugin.packageName}) failed to start`);
    }
    modules.push({ plugin, module });
  }
  return { workers, startupJobs, schedules, limits, modules };
}

/** Checks a `JobRegistry.limit` call: known fields, values in range, once per type. */
function resolveLimit(type: RegisteredJobType, options: LimitOptions, declared: readonly DeclaredLimit[]): DeclaredLimit {
  const what = `JobRegistry.limit(${type.fullName})`;
  if (declared.some((other) => other.type.id === type.id)) {
    throw new JobbyError('CONFIGURATION_INVALID', `${type.fullName} has two limit declarations; give all its limits in one JobRegistry.limit call`);
  }
  if (typeof options !== 'object' || options === null) throw new JobbyError('CONFIGURATION_INVALID', `${what} takes an object of limits`);
  const unknown = Object.keys(options).filter((field) => !['concurrency', 'rate', 'group'].includes(field));
  if (unknown.length > 0) throw new JobbyError('CONFIGURATION_INVALID', `${what}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: concurrency, rate, group)`);
  const limit: DeclaredLimit = { type };
  try {
    if (options.concurrency !== undefined) {
      checkConcurrency(options.concurrency, 'concurrency', type.fullName);
      limit.concurrency = options.concurrency;
    }
    if (options.rate !== undefined) {
      checkRateLimit({ limit: options.rate?.limit, intervalMs: options.rate?.intervalMs }, type.fullName);
      limit.rate = { limit: options.rate.limit, intervalMs: options.rate.intervalMs };
    }
    if (options.group !== undefined) {
      checkConcurrency(options.group?.concurrency, 'group concurrency', type.fullName);
      assertGroupable(type);
      limit.groupConcurrency = options.group.concurrency;
    }
  } catch (error) {
    if (isJobbyError(error, 'CONFIGURATION_INVALID')) throw error;
    throw new JobbyError('CONFIGURATION_INVALID', `${what}: ${describeError(error)}`, { cause: error });
  }
  if (limit.concurrency === undefined && limit.rate === undefined && limit.groupConcurrency === undefined) {
    throw new JobbyError('CONFIGURATION_INVALID', `${what} declares no limit: give concurrency, rate or group`);
  }
  return limit;
}

function positiveInteger(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new JobbyError('CONFIGURATION_INVALID', `${what} must be a positive integer, got ${value}`);
  return value;
}
