/**
 * `@jobby/core/admin`: the reads behind an operator's console (the admin server of
 * `@jobby/admin`, or your own), over the store's tables, each served by a named index and fast
 * with tens of millions of finished jobs. Mutations are the store's (`@jobby/core/store`).
 *
 * @example
 * ```ts
 * import { openDatabase } from '@jobby/core';
 * import { createJobAdmin } from '@jobby/core/admin';
 *
 * const database = await openDatabase({ connectionString: process.env.DATABASE_URL });
 * const admin = createJobAdmin(database);
 * const failed = await admin.jobList({ states: ['failed'], limit: 20 });
 * const detail = await admin.jobDetail({ jobId: failed.jobs[0]!.id });
 * ```
 */
export { createJobAdmin, type JobAdmin } from './job-admin.js';
export type { AdminAction, AdminActionListParams, AdminActionName, AdminActionRecordParams } from './admin-actions.js';
export type { JobCount, JobCountParams } from './job-counts.js';
export { jobChanges, type JobChangeCursor } from './job-change-cursor.js';
export {
  createdSlackMs,
  jobListSorts,
  prefixUpperBound,
  type JobListCursor,
  type JobListParams,
  type JobListResult,
  type JobListSort,
  type JobSummary,
} from './job-list.js';
export type { JobAttempt, JobDetail, JobDetailParams, JobLink, JobNeighbours, JobPayload, PayloadPreview } from './job-detail.js';
export type { JobGraph, JobGraphNode, JobGraphParams } from './job-graph.js';
export type { WorkflowRun, WorkflowRunListParams, WorkflowRunListResult } from './workflow-runs.js';
export type { WorkflowGraphParams } from './workflow-graph.js';
export type { JobLogLine, JobLogListParams, JobLogListResult, JobProgress } from './job-reports.js';
export { jobThroughputWindows, type JobThroughput, type JobThroughputParams, type JobThroughputWindow } from './job-throughput.js';
export type { Distribution, JobTypeStats, JobTypeStatsParams } from './job-type-stats.js';
export type { AdminSchedule, ScheduleJson } from './schedules.js';
export { scheduleJson } from './schedules.js';
export type { AdminWorker, WorkerListParams } from './workers.js';
export type { QueueHealth } from './queue-health.js';
export type { FailureGroup, FailureGroupKey } from './failure-groups.js';
export type { JobState } from '../store/job.js';
