import { assertSchemaName, type JobbyDatabase } from '../store/database.js';
import { createTables } from '../store/tables.js';
import { adminActionList, adminActionRecord, type AdminActionListParams, type AdminActionRecordParams } from './admin-actions.js';
import type { AdminContext } from './admin-context.js';
import { jobChangeCursor } from './job-change-cursor.js';
import { jobCountByTypeAndState, type JobCountParams } from './job-counts.js';
import { jobAttemptList, jobDetail, jobNeighbours, jobPayload, type JobDetailParams } from './job-detail.js';
import { jobGraph, type JobGraphParams } from './job-graph.js';
import { workflowRunList, type WorkflowRunListParams } from './workflow-runs.js';
import { jobLogList, jobRunningProgress, type JobLogListParams } from './job-reports.js';
import { jobList, type JobListParams } from './job-list.js';
import { workflowGraph, type WorkflowGraphParams } from './workflow-graph.js';
import { jobThroughput, type JobThroughputParams } from './job-throughput.js';
import { jobTypeStats, type JobTypeStatsParams } from './job-type-stats.js';
import { jobFailureGroupIds, jobFailureGroups, type FailureGroupKey } from './failure-groups.js';
import { keyOrderedByBytes } from './key-order.js';
import { jobQueueHealth } from './queue-health.js';
import { scheduleList } from './schedules.js';
import { databaseNow, jobTypeList, workerList, type WorkerListParams } from './workers.js';
import type { AnyKysely } from '../contract/any-kysely.js';

/**
 * The admin's reads, bound to one schema: what an operator's console shows, each operation named
 * noun-first, taking a params object, and reading the store's tables only through the indexes
 * its header names — never a scan of history, so that every read stays fast with tens of
 * millions of finished jobs. Changes (retry, cancel, …) are not here: they go through the store
 * (`createJobStore`), as the worker's do.
 *
 * @example
 * ```ts
 * const admin = createJobAdmin(database);
 * const counts = await admin.jobCountByTypeAndState();
 * const page = await admin.jobList({ states: ['failed'], limit: 50 });
 * const next = await admin.jobList({ states: ['failed'], limit: 50, cursor: page.nextCursor });
 * ```
 */
export type JobAdmin = ReturnType<typeof createJobAdmin>;

export function createJobAdmin(
  database: Pick<JobbyDatabase, 'schema'> & { db: AnyKysely },
) {
  const context: AdminContext = { db: database.db, tables: createTables(assertSchemaName(database.schema)) };
  let keyRange: Promise<boolean> | undefined;
  const environment = {
    allTypeIds: async () => (await jobTypeList(context)).map((type) => type.id),
    // Asked once: the collation of jobs.key does not change under a running server.
    keyRangeUsable: () => (keyRange ??= keyOrderedByBytes(context)),
  };
  return {
    /** Jobs per type and state: live states from the hot tables, finished ones from the rollups. */
    jobCountByTypeAndState: (params?: JobCountParams) => jobCountByTypeAndState(context, params),
    /** A page of jobs, filtered and sorted, with a cursor for the next. */
    jobList: (params: JobListParams) => jobList(context, params, environment),
    /** One job with payload previews; undefined when it does not exist. */
    jobDetail: (params: JobDetailParams) => jobDetail(context, params),
    /** A job's attempts, finished and running. */
    jobAttemptList: (params: { jobId: string }) => jobAttemptList(context, params),
    /** A job's log lines (`context.log` of its handler), per attempt, the newest `limit`. */
    jobLogList: (params: JobLogListParams) => jobLogList(context, params),
    /** The progress of running jobs whose handlers reported any. */
    jobRunningProgress: (params: { jobIds: readonly string[] }) => jobRunningProgress(context, params),
    /** The first `limit` dependencies and dependents of a job, with totals. */
    jobNeighbours: (params: { jobId: string; limit: number }) => jobNeighbours(context, params),
    /** A whole payload as JSON text. */
    jobPayload: (params: { jobId: string; which: 'input' | 'output' }) => jobPayload(context, params),
    /** The workflow around a job, capped. */
    jobGraph: (params: JobGraphParams) => jobGraph(context, params),
    /** Workflow runs (roots of dependency graphs), newest first, with their jobs' states. */
    workflowRunList: (params: WorkflowRunListParams) => workflowRunList(context, params),
    /** The whole workflow a job belongs to (every job connected to it), capped. */
    workflowGraph: (params: WorkflowGraphParams) => workflowGraph(context, params),
    /** Finished jobs per time bucket, from the rollups. */
    jobThroughput: (params: JobThroughputParams) => jobThroughput(context, params),
    /** Percentiles of a type's latest successful runs. */
    jobTypeStats: (params: JobTypeStatsParams) => jobTypeStats(context, params),
    /** Every job type the database has seen. */
    jobTypeList: () => jobTypeList(context),
    jobQueueHealth: () => jobQueueHealth(context),
    jobFailureGroups: (params: { limit: number }) => jobFailureGroups(context, params),
    jobFailureGroupIds: (params: FailureGroupKey & { limit: number }) => jobFailureGroupIds(context, params),
    /** The schedules workers declared, with their next and last fire times, removed ones included. */
    scheduleList: () => scheduleList(context),
    /** Workers seen recently, live ones first. */
    workerList: (params?: WorkerListParams) => workerList(context, params),
    /** A fingerprint of what changed (see job-change-cursor.ts): compare two with `jobChanges`. */
    jobChangeCursor: () => jobChangeCursor(context),
    /** The database clock. */
    databaseNow: () => databaseNow(context),
    /** Whether key prefixes are ranges of jobs_identity (see `keyOrderedByBytes`). */
    keyOrderedByBytes: () => environment.keyRangeUsable(),
    /** Appends to the admin's audit trail (see admin-actions.ts). */
    adminActionRecord: (params: AdminActionRecordParams) => adminActionRecord(context, params),
    adminActionList: (params: AdminActionListParams) => adminActionList(context, params),
  };
}
