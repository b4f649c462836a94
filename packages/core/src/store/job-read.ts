import { sql } from 'kysely';
import { JobbyError } from '../errors.js';
import { bigintArrayLiteral } from './array-parameters.js';
import type { JobReference, JobState, RowResult, StoredAttempt, StoredJob } from './job.js';
import { mapAttemptRow, mapJobRow, type JobAttemptRow, type JobRow } from './job-row.js';
import type { StoreContext } from './store-context.js';

/** Reads. Every read maps rows one by one: a malformed row is an error value, not a failed read. */

export async function jobGet(context: StoreContext, id: string): Promise<RowResult<StoredJob> | undefined> {
  if (!/^\d{1,18}$/.test(id)) throw new JobbyError('INVALID_ARGUMENT', `job id ${JSON.stringify(id)} is not a number`);
  const { rows } = await sql<JobRow>`select * from ${context.tables.jobSnapshots} where id = ${id}`.execute(context.db);
  return rows[0] ? mapJobRow(rows[0]) : undefined;
}

export async function jobGetByReference(context: StoreContext, reference: JobReference): Promise<RowResult<StoredJob> | undefined> {
  const { rows } = await sql<JobRow>`
    select * from ${context.tables.jobSnapshots} where type_id = ${reference.typeId} and key = ${reference.key}`.execute(context.db);
  return rows[0] ? mapJobRow(rows[0]) : undefined;
}

/**
 * The trace contexts their submitters left on these jobs (W3C traceparent), for the jobs that have
 * one: read by the worker once per claimed batch, and only when a tracer records spans.
 */
export async function jobTraceParents(context: StoreContext, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<{ id: string; trace_parent: string }>`
    select id::text as id, trace_parent from ${context.tables.jobs}
    where id = any(${bigintArrayLiteral(ids)}::bigint[]) and trace_parent is not null`.execute(context.db);
  return new Map(rows.map((row) => [row.id, row.trace_parent]));
}

export interface JobListParams {
  states?: readonly JobState[];
  typeIds?: readonly number[];
  keyPrefix?: string;
  /** Keyset pagination: jobs with an id below this one (newest first). */
  beforeId?: string;
  limit?: number;
}

/**
 * Lists jobs newest first, with keyset pagination, from whole-job snapshots: for tools and tests
 * over modest stores. The admin's lists over millions of jobs use its own operations
 * (`@jobby/core/admin`), which read history through job_outcomes' indexes.
 */
export async function jobList(context: StoreContext, params: JobListParams = {}): Promise<RowResult<StoredJob>[]> {
  const limit = Math.min(Math.max(params.limit ?? 100, 1), 1000);
  const conditions = [sql`true`];
  if (params.states?.length) conditions.push(sql`state = any(${sql.val(params.states)}::${context.tables.jobState}[])`);
  if (params.typeIds?.length) conditions.push(sql`type_id = any(${sql.val(params.typeIds)}::int[])`);
  if (params.keyPrefix) conditions.push(sql`key like ${`${params.keyPrefix.replace(/[\\%_]/g, (character) => `\\${character}`)}%`}`);
  if (params.beforeId) conditions.push(sql`id < ${params.beforeId}`);
  const { rows } = await sql<JobRow>`
    select * from ${context.tables.jobSnapshots} where ${sql.join(conditions, sql` and `)} order by id desc limit ${limit}`.execute(context.db);
  return rows.map(mapJobRow);
}

export async function jobAttemptList(context: StoreContext, jobId: string): Promise<StoredAttempt[]> {
  // Successful runs are not attempts in this sense (a job's output is on the job); ordered by
  // time, since a re-run job numbers its attempts from 1 again.
  const { rows } = await sql<JobAttemptRow>`
    select o.job_id || ':' || row_number() over (order by o.finished_at, o.attempt) as id,
           o.job_id, o.attempt, w.id as worker_id, o.started_at, o.finished_at, o.outcome, o.error
    from ${context.tables.jobOutcomes} o left join ${context.tables.workers} w on w.number = o.worker
    where o.job_id = ${jobId} and o.outcome <> 'succeeded'
    order by o.finished_at, o.attempt`.execute(context.db);
  return rows.map(mapAttemptRow);
}

export interface JobEdge {
  id: string;
  typeId: number;
  key: string;
  state: JobState;
}

/** The jobs a job depends on, and the jobs that depend on it. */
export async function jobNeighbours(context: StoreContext, jobId: string): Promise<{ dependencies: JobEdge[]; dependents: JobEdge[] }> {
  const { tables } = context;
  const { rows } = await sql<{ direction: 'dependency' | 'dependent'; id: string; type_id: number; key: string; state: JobState }>`
    select 'dependency' as direction, p.id, p.type_id, p.key, p.state
    from ${tables.jobDependencies} d join ${tables.jobSnapshots} p on p.id = d.depends_on_id where d.job_id = ${jobId}
    union all
    select 'dependent', c.id, c.type_id, c.key, c.state
    from ${tables.jobDependencies} d join ${tables.jobSnapshots} c on c.id = d.job_id where d.depends_on_id = ${jobId}
    order by 2`.execute(context.db);
  const edge = (row: (typeof rows)[number]): JobEdge => ({ id: String(row.id), typeId: row.type_id, key: row.key, state: row.state });
  return {
    dependencies: rows.filter((row) => row.direction === 'dependency').map(edge),
    dependents: rows.filter((row) => row.direction === 'dependent').map(edge),
  };
}

/** Counts of jobs per type and state, from snapshots of every job: for modest stores (tools, tests). */
export async function jobCountByTypeAndState(context: StoreContext): Promise<{ typeId: number; state: JobState; count: number }[]> {
  const { rows } = await sql<{ type_id: number; state: JobState; count: string }>`
    select type_id, state, count(*) as count from ${context.tables.jobSnapshots} group by type_id, state order by type_id, state`.execute(context.db);
  return rows.map((row) => ({ typeId: row.type_id, state: row.state, count: Number(row.count) }));
}
