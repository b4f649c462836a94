/**
 * `@jobby/core`: the plugin contract, the typed client and the worker runtime.
 *
 * Other entry points:
 * - `@jobby/core/worker-options`: the worker's options table (plain JavaScript, no dependencies),
 *   from which the worker's option types and the `jobby worker` flags are derived;
 * - `@jobby/core/store` (@internal): the job store, all of jobby's SQL, for jobby's own packages;
 * - `@jobby/core/schedules`: cron expressions and time zones as schedules read them (croner), for
 *   codegen's checks and listings, without the runtime;
 * - `@jobby/core/testing`: test databases (real Postgres, embedded) and helpers for plugin tests.
 *
 * Exports tagged `@internal` (`jobStoreOf`, `syncJobTypes`, `findOrphanedJobTypes`) take or give the
 * internal store: they serve jobby's own packages and tools, with no compatibility promise.
 */
export * from './contract/index.js';
export { JobbyError, describeError, isJobbyError, type JobbyErrorCode, type JobbyErrorOptions } from './errors.js';
export {
  defineRegistry,
  localIdsPerClient,
  type JobbyRegistry,
  type RegisteredJobType,
  type RegistryJobTypeEntry,
  type RegistryOptions,
  type RegistryLimitEntry,
  type RegistryPluginEntry,
  type RegistryScheduleEntry,
} from './runtime/registry.js';
export { createJobbyClient, jobStoreOf, syncJobTypes, type ClientSubmitOptions, type JobbyClient, type JobbyClientOptions, type JobSnapshot, type SubmitResult } from './runtime/client.js';
export { createWorker, type Worker, type WorkerOptions, type WorkerOptions as CreateWorkerOptions } from './runtime/worker/worker.js';
export {
  describeExpectedValue,
  describeWorkerOption,
  resolveWorkerOptions,
  workerOptionModes,
  workerOptionSpecs,
  type ResolvedWorkerTunables,
  type WorkerOptionName,
  type WorkerOptionSpec,
  type WorkerProgramTunables,
  type WorkerTunables,
} from './runtime/worker/worker-options.js';
export { WorkerEventEmitter, type WorkerEvents } from './runtime/events.js';
export { createLogger } from './runtime/logger.js';
export { createWorkerMetrics, serveMetrics } from './runtime/metrics.js';
export { createPayloadValidator, defaultMaxPayloadBytes, toJson, type PayloadValidator, type ToJsonOptions } from './runtime/payload-validator.js';
export type { DeclaredLimit, RegisteredWorker, StartupJob } from './runtime/module-loader.js';
export { readPluginConfig, runWorker, type RunningWorker, type RunWorkerOptions } from './runtime/run-worker.js';
export { backoffDelay, databaseOutageBackoff, type BackoffOptions } from './runtime/backoff.js';
export { isTransientDatabaseError } from './runtime/transient-error.js';
export { assertGroupable, groupKeyOf } from './runtime/group-key.js';
export { cronProblem, parseCron, slotKey, type CronSchedule } from './runtime/schedule-plan.js';
export { describeOrphanedJobTypes, findOrphanedJobTypes, type OrphanedJobType } from './runtime/orphaned-job-types.js';
export { openDatabase, migrate, databaseOptionsFromEnv, type JobbyDatabase, type DatabaseOptions } from './store/index.js';
export type { JobState, StoredError, StoredAttempt } from './store/job.js';
export type { JobTypeControlChange, JobTypeControls, JobTypeLimits, JobTypeLimitSource, JobTypeRateLimit } from './store/job-type-controls.js';
export type { AdminSchedule as ScheduleSummary } from './admin/schedules.js';
