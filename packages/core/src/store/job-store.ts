import { sql } from 'kysely';
import type { JobbyDatabase } from './database.js';
import { assertSchemaName } from './database.js';
import type { JobReference } from './job.js';
import { connectionWarmUp, type ConnectionWarmUpParams } from './connection-warm-up.js';
import { jobClaim, type ClaimJobsParams } from './job-claim.js';
import { jobCompleteMany, type CompleteJobParams } from './job-complete.js';
import { jobCancel, jobPruneExpired, jobRerun, jobRetry, jobRunNow } from './job-control.js';
import { jobEnqueueMany, type EnqueueJobParams } from './job-enqueue.js';
import { jobFailMany, type FailJobParams } from './job-fail.js';
import { jobHandBack, jobLeaseExtend, jobLeaseRescueExpired, type HeldJob } from './job-lease.js';
import { jobReportMany, type AttemptReportParams } from './job-report.js';
import { jobAttemptList, jobCountByTypeAndState, jobGet, jobGetByReference, jobList, jobNeighbours, jobTraceParents, type JobListParams } from './job-read.js';
import { jobTypeList, jobTypeSync, type JobTypeEntry } from './job-type-sync.js';
import { jobTypeControlList, jobTypeControlSet, jobTypeLimitsDeclare, type JobTypeControlChange, type JobTypeLimitDeclaration } from './job-type-controls.js';
import { jobScheduleAdvance, jobScheduleDeclare, jobScheduleList, type ScheduleAdvanceParams, type ScheduleDeclaration } from './job-schedules.js';
import type { StoreContext } from './store-context.js';
import { createTables } from './tables.js';
import { workerHeartbeat, workerList, workerRegister, workerStop } from './worker-heartbeat.js';
import type { AnyKysely } from '../contract/any-kysely.js';

/**
 * The job store: every SQL statement jobby runs, bound to one schema. Operations are named
 * noun-first and take a params object; the worker loop, the client, the CLI and the admin server
 * all go through here.
 *
 * @example
 * ```ts
 * const store = createJobStore(database);
 * const [result] = await store.jobEnqueueMany([{ typeId: 3000, key: 'sentinel', inputJson: '{}' }]);
 * const claimed = await store.jobClaim({ workerId: 'w1', typeIds: [3000], limit: 10, leaseSeconds: 30 });
 * ```
 */
export type JobStore = ReturnType<typeof createJobStore>;

export interface JobStoreOptions {
  /** Allowed attempts when a submission names none. Default 25. */
  defaultMaxAttempts?: number;
  /** Names a job type id for error messages (the registry knows the names). */
  describeType?: (typeId: number) => string;
}

export function createJobStore(
  database: Pick<JobbyDatabase, 'schema'> & { db: AnyKysely },
  options: JobStoreOptions = {},
) {
  const schema = assertSchemaName(database.schema);
  const describeType = options.describeType ?? ((typeId: number) => `type ${typeId}`);
  const context: StoreContext = {
    db: database.db,
    tables: createTables(schema),
    jobsChannel: `jobby:${schema}:jobs`,
    cancelChannel: `jobby:${schema}:cancel`,
    defaultMaxAttempts: options.defaultMaxAttempts ?? 25,
    enqueue: { expectNew: true },
    describeReference: (reference: JobReference) => `${describeType(reference.typeId)}:${reference.key}`,
    describeType,
  };
  return {
    context,
    schema,
    jobsChannel: context.jobsChannel,
    cancelChannel: context.cancelChannel,
    /** Enqueues jobs; pass the application's transaction to enqueue atomically with its own writes. */
    jobEnqueueMany: (jobs: readonly EnqueueJobParams[], transaction?: AnyKysely) => jobEnqueueMany(context, jobs, transaction ?? context.db),
    jobClaim: (params: ClaimJobsParams) => jobClaim(context, params),
    connectionWarmUp: (params: ConnectionWarmUpParams) => connectionWarmUp(context, params),
    jobCompleteMany: (jobs: readonly CompleteJobParams[]) => jobCompleteMany(context, jobs),
    jobFailMany: (jobs: readonly FailJobParams[]) => jobFailMany(context, jobs),
    jobLeaseExtend: (params: { jobs: readonly HeldJob[]; leaseSeconds: number }) => jobLeaseExtend(context, params),
    jobLeaseRescueExpired: (params?: { limit?: number }) => jobLeaseRescueExpired(context, params),
    jobHandBack: (jobs: readonly HeldJob[]) => jobHandBack(context, jobs),
    /** Writes running attempts' progress and log lines; returns the ids written (the others are stale). */
    jobReportMany: (reports: readonly AttemptReportParams[]) => jobReportMany(context, reports),
    jobCancel: (id: string, reason?: string) => jobCancel(context, id, reason),
    jobRetry: (id: string) => jobRetry(context, id),
    jobRerun: (id: string) => jobRerun(context, id),
    jobRunNow: (id: string) => jobRunNow(context, id),
    jobTypeControlSet: (typeId: number, change: JobTypeControlChange) => jobTypeControlSet(context, typeId, change),
    jobTypeControlList: () => jobTypeControlList(context),
    /** The limits the code declares for the types of `scopeTypeIds` (written at worker start). */
    jobTypeLimitsDeclare: (params: { scopeTypeIds: readonly number[]; limits: readonly JobTypeLimitDeclaration[] }) => jobTypeLimitsDeclare(context, params),
    jobScheduleDeclare: (params: { scopeTypeIds: readonly number[]; schedules: readonly ScheduleDeclaration[] }) => jobScheduleDeclare(context, params),
    /** Moves a schedule's cursor inside `transaction`, the one that enqueues the slots' jobs. */
    jobScheduleAdvance: (params: ScheduleAdvanceParams, transaction: AnyKysely) => jobScheduleAdvance(context, params, transaction),
    jobScheduleList: () => jobScheduleList(context),
    jobPruneExpired: (params?: { limit?: number }) => jobPruneExpired(context, params),
    jobGet: (id: string) => jobGet(context, id),
    jobGetByReference: (reference: JobReference) => jobGetByReference(context, reference),
    jobTraceParents: (ids: readonly string[]) => jobTraceParents(context, ids),
    jobList: (params?: JobListParams) => jobList(context, params),
    jobAttemptList: (jobId: string) => jobAttemptList(context, jobId),
    jobNeighbours: (jobId: string) => jobNeighbours(context, jobId),
    jobCountByTypeAndState: () => jobCountByTypeAndState(context),
    jobTypeSync: (entries: readonly JobTypeEntry[]) => jobTypeSync(context, entries),
    jobTypeList: () => jobTypeList(context),
    workerRegister: (worker: Parameters<typeof workerRegister>[1]) => workerRegister(context, worker),
    workerHeartbeat: (workerId: string) => workerHeartbeat(context, workerId),
    workerStop: (workerId: string) => workerStop(context, workerId),
    workerList: (params?: { withinSeconds?: number }) => workerList(context, params),
    /** The database clock: all scheduling uses it, never the worker's. */
    async databaseNow(): Promise<Date> {
      const { rows } = await sql<{ now: Date }>`select now() as now`.execute(context.db);
      return rows[0]!.now;
    },
  };
}
