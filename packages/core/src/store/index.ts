/**
 * `@jobby/core/store`: the Postgres job store (all of jobby's SQL), the database connection and
 * the migrator. Applications normally use the typed client and the worker from `@jobby/core`.
 *
 * Internal: this entry point serves jobby's own packages (the CLI, the admin server, the bench and
 * chaos tools) and carries no compatibility promise; its operations may change in any release.
 *
 * @packageDocumentation
 * @internal
 */
export * from './database.js';
export * from './job.js';
export { mapJobRow, mapAttemptRow, toStoredError, type JobRow, type JobAttemptRow } from './job-row.js';
export { createJobStore, type JobStore, type JobStoreOptions } from './job-store.js';
export type { ClaimJobsParams, ClaimedJob, ClaimedDependency } from './job-claim.js';
export type { CompleteJobParams, CompleteResult } from './job-complete.js';
export type { CancelResult } from './job-control.js';
export type { EnqueueJobParams, EnqueueResult } from './job-enqueue.js';
export { defaultBackoffBaseMs, defaultBackoffMaxMs, type FailJobParams, type FailResult } from './job-fail.js';
export type { HeldJob, RescueResult } from './job-lease.js';
export type { JobEdge, JobListParams } from './job-read.js';
export type { JobTypeConflict, JobTypeEntry, JobTypeSyncResult } from './job-type-sync.js';
export { noControls, type JobTypeControlChange, type JobTypeControls, type JobTypeLimitDeclaration, type JobTypeLimits, type JobTypeLimitSource, type JobTypeRateLimit } from './job-type-controls.js';
export type { ScheduleAdvanceParams, ScheduleAdvanceResult, ScheduleDeclaration, ScheduleRecord, ScheduleState } from './job-schedules.js';
export type { WorkerRecord } from './worker-heartbeat.js';
export { migrate, type MigrateResult } from './migrations/migrator.js';
export type { DB as StorageSchema } from './schema-types.generated.js';
