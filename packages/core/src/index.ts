/**
 * `@jobby/core`: the plugin contract, the typed client and the worker runtime.
 * Storage internals are under `@jobby/core/store`.
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
  type RegistryPluginEntry,
} from './runtime/registry.js';
export { createJobbyClient, syncJobTypes, type ClientSubmitOptions, type JobbyClient, type JobbyClientOptions, type JobSnapshot, type SubmitResult } from './runtime/client.js';
export { createWorker, type Worker, type WorkerOptions as CreateWorkerOptions } from './runtime/worker.js';
export { WorkerEventEmitter, type WorkerEvents } from './runtime/events.js';
export { createLogger } from './runtime/logger.js';
export { createWorkerMetrics, serveMetrics } from './runtime/metrics.js';
export { createPayloadValidator, defaultMaxPayloadBytes, toJson, type PayloadValidator, type ToJsonOptions } from './runtime/payload-validator.js';
export type { RegisteredWorker, StartupJob } from './runtime/module-loader.js';
export {
  parseWorkerArguments,
  runWorkerProgram,
  startWorkerProgram,
  workerProgramUsage,
  type WorkerProgram,
  type WorkerProgramOptions,
} from './runtime/worker-program.js';
export { isTransientDatabaseError } from './runtime/transient-error.js';
export { describeOrphanedJobTypes, findOrphanedJobTypes, type OrphanedJobType } from './runtime/orphaned-job-types.js';
export { openDatabase, migrate, databaseOptionsFromEnv, type JobbyDatabase, type DatabaseOptions } from './store/index.js';
export type { JobState, StoredError, StoredAttempt } from './store/job.js';
