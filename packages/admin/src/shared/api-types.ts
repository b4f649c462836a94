/**
 * The admin API's response shapes: the contract between `src/server` (which produces them) and
 * `src/ui/services` (which maps them to display types). Times are ISO 8601 strings, durations
 * milliseconds, sizes bytes. Errors are always `ApiErrorBody` with a 4xx/5xx status.
 */

export type JobStateName = 'queued' | 'waiting' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export const jobStateNames: readonly JobStateName[] = ['queued', 'waiting', 'running', 'succeeded', 'failed', 'cancelled'];

export interface ApiErrorBody {
  error: { code: string; message: string; details?: { errors?: { path: string; message?: string; keyword?: string }[]; field?: string; [name: string]: unknown } };
}

/** GET /api/meta */
export interface MetaResponse {
  schema: string;
  databaseKind: 'postgres' | 'embedded';
  /** Some requests need `Authorization: Bearer <token>`: changes (`JOBBY_ADMIN_TOKEN`), or reads too. */
  tokenRequired: boolean;
  /** Reads need a token too (the server listens beyond loopback, or has a read token). */
  readTokenRequired: boolean;
  /** What this request's token grants: `operator` reads and changes, `read` only reads, `none` nothing but this answer. */
  access: 'operator' | 'read' | 'none';
  /** No token configured and not the embedded quick start: nothing can be changed. */
  readOnly: boolean;
  /** The embedded quick start: mutations are open without a token. */
  embeddedOpen: boolean;
  databaseNow: string;
}

/** `GET /api/workflows`: workflow runs (roots of dependency graphs), newest first. */
export interface WorkflowListResponse {
  workflows: {
    /** The root job: its graph is at /jobs/:id/graph. */
    id: string;
    type: string;
    key: string;
    createdAt: string;
    /** Jobs per state, the root included. */
    counts: Record<JobStateName, number>;
    total: number;
    /** More jobs than were counted (1,000): the counts are of the first ones. */
    truncated: boolean;
  }[];
  nextCursor: string | null;
}

/**
 * A `change` event of `GET /api/events`: what changed since the last one. Topics: `jobs` (jobs
 * submitted, started, finished, retried or cancelled), `type:<plugin.Job>` (jobs of that type
 * finished), `controls` (a pause or limit), `audit` (an operator's change).
 */
export interface ChangeEvent {
  topics: string[];
}

export interface WorkerSettings {
  name: string;
  concurrency: number;
  pollIntervalMs: number;
  timeoutMs: number | null;
}

export interface JobTypeInfo {
  id: number;
  localId: number;
  /** `plugin.Job` */
  fullName: string;
  plugin: string;
  name: string;
  submittable: boolean;
  description: string | null;
  inputSchema: unknown;
  outputSchema: unknown;
  /** Workers registered for this type by live worker processes (from the workers table). */
  workers: (WorkerSettings & { workerId: string })[];
}

export interface PluginInfo {
  name: string;
  clientId: number;
  packageName: string;
  version: string;
  jobTypes: JobTypeInfo[];
}

export interface WorkerInfo {
  id: string;
  hostname: string;
  pid: number;
  concurrency: number;
  jobTypes: string[];
  startedAt: string;
  lastHeartbeatAt: string;
  stoppedAt: string | null;
  /** Heartbeat within the last 60 s and not stopped. */
  alive: boolean;
  /** This admin server's own in-process worker. */
  inProcess: boolean;
  heldJobs: number | null;
}

/** GET /api/overview */
export interface OverviewResponse {
  plugins: PluginInfo[];
  workers: WorkerInfo[];
  /** Type ids present in the database but unknown to this registry. */
  unknownTypes: { id: number; name: string }[];
  databaseNow: string;
}

/**
 * GET /api/counts. Queued, waiting and running: jobs in that state now. Succeeded, failed and
 * cancelled: finishes counted by the rollups (kept after pruning, ephemeral jobs included, a job
 * that finishes again after a retry or re-run counted again; see the README).
 */
export interface CountsResponse {
  counts: { typeId: number; type: string; state: JobStateName; count: number }[];
  /** When the succeeded counts were taken; null = live, which every count now is. */
  succeededCountedAt: string | null;
}

/** GET /api/failures: failed and retrying jobs grouped by type and error, largest first. */
export interface FailureGroupsResponse {
  groups: FailureGroupInfo[];
}

export interface FailureGroupInfo {
  type: string;
  state: 'failed' | 'retrying';
  code: string | null;
  /** The first 200 characters of the error message. */
  message: string;
  count: number;
  firstSeenAt: string;
  lastSeenAt: string;
}

/** POST /api/failures/action: retry or cancel every job of one group (up to 10,000). */
export interface FailureGroupActionRequest {
  action: 'retry' | 'cancel';
  type: string;
  state: 'failed' | 'retrying';
  code: string | null;
  message: string;
}

/** GET /api/queue-health: per job type, from job_queue, job_running and the job_stats rollups. */
export interface QueueHealthResponse {
  databaseNow: string;
  types: {
    type: string;
    due: number;
    scheduled: number;
    retrying: number;
    waiting: number;
    running: number;
    /** How long the oldest due job has waited, in ms (null: nothing due). */
    oldestDueAgeMs: number | null;
    /** Mean due → claimed of the attempts running now, in ms. */
    pickupMs: number | null;
    /** The last hour in 5-minute buckets, oldest first. */
    lastHour: { start: string; succeeded: number; failed: number; retried: number; cancelled: number }[];
  }[];
}

/** GET /api/throughput */
export interface ThroughputResponse {
  from: string;
  to: string;
  bucketSeconds: number;
  buckets: { start: string; succeeded: number; failed: number; cancelled: number }[];
}

export interface JobSummary {
  id: string;
  typeId: number;
  type: string;
  key: string;
  state: JobStateName;
  attempts: number;
  maxAttempts: number;
  priority: number;
  runAt: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Run time of the latest attempt (finished, or so far). */
  runMs: number | null;
  inputBytes: number;
  outputBytes: number | null;
  workerId: string | null;
  pendingDependencies: number;
  dependencyCount: number;
  error: { code: string | null; message: string } | null;
  /** A running job's progress, as its handler last reported it (`context.progress`); in lists of running jobs only. */
  progress?: { fraction: number; message: string | null } | null;
}

/** GET /api/jobs */
export interface JobListResponse {
  jobs: JobSummary[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** One admin action in the audit trail: who did what, when. */
export interface AuditEntry {
  at: string;
  /** `operator` (the admin token) or `open` (embedded, no token), with the name given, if any. */
  actor: string;
  action: string;
  details: Record<string, unknown> | null;
}

export interface AttemptInfo {
  /** Within its cycle: a retry or re-run by a person starts again at 1. */
  attempt: number;
  /** Across the job's whole history: 1, 2, 3 … */
  number: number;
  /** 1, then one more per retry or re-run by a person. */
  cycle: number;
  outcome: 'succeeded' | 'running' | 'failed' | 'timed_out' | 'lease_expired' | 'cancelled' | 'handed_back';
  workerId: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** `details`: what the error carried besides its message (a JobbyError's details), shown as a JSON tree. */
  error: { code: string; message: string; stack?: string; details?: Record<string, unknown> } | null;
  /** What the handler last reported with `context.progress` (0–1), kept after the attempt ends. */
  progress: number | null;
  progressMessage: string | null;
  /** Its log lines (`context.log`), in order. */
  logs: AttemptLogLine[];
}

/** One line a handler wrote with `context.log`. */
export interface AttemptLogLine {
  /** When the handler wrote it (its worker's clock). */
  at: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  /** The JSON data passed with it, or null. */
  data: unknown;
}

export interface PayloadView {
  /** Size of the stored JSON text. */
  bytes: number;
  /** Pretty-printed JSON, or the first `previewBytes` of it when `truncated`. */
  text: string;
  truncated: boolean;
  downloadUrl: string;
}

export interface JobLink {
  id: string;
  type: string;
  key: string;
  state: JobStateName;
}

/** GET /api/jobs/:id */
export interface JobDetailResponse {
  job: JobSummary & {
    readyAt: string | null;
    leaseExpiresAt: string | null;
    expiresAt: string | null;
    submittable: boolean;
    error: { code: string | null; message: string; stack?: string; details?: Record<string, unknown> } | null;
  };
  timings: {
    /** created → ready (dependencies, run-at). */
    waitMs: number | null;
    /** ready → first start. */
    queueDelayMs: number | null;
    /** Latest attempt's start → finish (or now, while running). */
    runMs: number | null;
    /** created → finished. */
    totalMs: number | null;
  };
  attempts: AttemptInfo[];
  /** Older log lines left out of `attempts` (the newest 5,000 are shown). */
  logsOmitted: number;
  /** Changes made to it through the admin, newest first (the last 50). */
  audit: AuditEntry[];
  input: PayloadView;
  output: PayloadView | null;
  dependencies: { jobs: JobLink[]; total: number };
  dependents: { jobs: JobLink[]; total: number };
  /** What can be done to it now. */
  actions: { retry: boolean; cancel: boolean; runNow: boolean; rerun: boolean };
}

/** GET /api/jobs/:id/graph */
/** A job's lineage (its ancestors and descendants) or its whole workflow (every job connected to it). */
export const graphViews = ['lineage', 'workflow'] as const;
export type GraphView = (typeof graphViews)[number];

export interface GraphResponse {
  /** The job asked about (role 'root'). */
  rootId: string;
  view: GraphView;
  /** 'related': in the workflow, neither an ancestor nor a descendant of the job asked about. */
  nodes: (JobLink & { typeId: number; role: 'root' | 'ancestor' | 'descendant' | 'related' })[];
  edges: { from: string; to: string }[];
  truncated: boolean;
  limit: number;
}

export interface Distribution {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  mean: number | null;
  max: number | null;
}

/** GET /api/job-types/:type/stats */
/**
 * GET and POST /api/job-types/:type/controls: a job type's flow control (issue 19). POST takes
 * `{ paused?: boolean, concurrency?: number | null, rate?: { limit, intervalMs } | null,
 * groupConcurrency?: number | null, clearLimits?: boolean }` (null removes the limit; a value set
 * here overrides the code's until `clearLimits`) and answers the controls as they are after it.
 */
export interface TypeControlsResponse {
  type: string;
  paused: boolean;
  /** At most this many of the type's jobs running at once across all workers; null: no limit. */
  concurrency: number | null;
  /** At most `limit` starts of the type in any window of `intervalMs`, across all workers; null: no limit. */
  rate: { limit: number; intervalMs: number } | null;
  /** At most this many of the type's jobs with one group key running at once; null: no limit. */
  groupConcurrency: number | null;
  /** The limits the code declares (`JobRegistry.limit`, written by the last worker started). */
  declared: { concurrency: number | null; rate: { limit: number; intervalMs: number } | null; groupConcurrency: number | null };
  /** Where each limit in force comes from: set at run time (wins until cleared), the code, or none. */
  sources: { concurrency: 'run-time' | 'code' | null; rate: 'run-time' | 'code' | null; groupConcurrency: 'run-time' | 'code' | null };
}

export interface TypeStatsResponse {
  type: JobTypeInfo;
  counts: Partial<Record<JobStateName, number>>;
  succeededCountedAt: string | null;
  sample: { sampled: number; limit: number; oldestFinishedAt: string | null; newestFinishedAt: string | null };
  runTimeMs: Distribution;
  queueDelayMs: Distribution;
  inputBytes: Distribution;
  outputBytes: Distribution;
}

/** POST /api/jobs */
export interface SubmitRequest {
  type: string;
  key: string;
  input: unknown;
  dependsOn?: { type: string; key: string }[];
  maxAttempts?: number;
  priority?: number;
  runAt?: string;
}

export interface SubmitResponse {
  id: string;
  type: string;
  key: string;
  created: boolean;
  state: JobStateName;
}

/** POST /api/jobs/:id/{retry,cancel,run-now,rerun} */
export interface ActionResponse {
  id: string;
  action: JobAction;
  /** Jobs the action changed (retry / re-run reset a subtree; cancel cascades). */
  affected: string[];
  message: string;
}

export type JobAction = 'retry' | 'cancel' | 'run-now' | 'rerun';

/** POST /api/jobs/bulk */
export interface BulkRequest {
  action: 'retry' | 'cancel';
  /** The selected jobs, or: */
  ids?: string[];
  /** every job matching the Jobs list's filter (its query parameters), up to 10,000. */
  filter?: Record<string, string>;
}

/** GET /api/jobs/count */
export interface JobCountResponse {
  /** Jobs matching the filter, counted up to `cap`. */
  count: number;
  /** More than `cap` match. */
  capped: boolean;
  cap: number;
}

export interface BulkResponse {
  results: { id: string; ok: boolean; affected: string[]; error?: { code: string; message: string } }[];
}

/** One schedule of GET /api/schedules (issue 19): the same fields as `jobby schedules list --json`. */
export interface ScheduleInfo {
  /** `plugin.Job`. */
  type: string;
  name: string;
  cron: string;
  timezone: string;
  /** `none`, `last` or `up-to-N`. */
  catchUp: string;
  /** `removed`: no longer declared in code, no longer firing. */
  state: 'active' | 'removed';
  nextFireAt: string | null;
  lastFireAt: string | null;
  removedAt: string | null;
}

/** GET /api/schedules */
/** GET /api/controls: every registered job type's flow control. */
export interface ControlsResponse {
  types: TypeControlsResponse[];
}

export interface SchedulesResponse {
  schedules: ScheduleInfo[];
}
