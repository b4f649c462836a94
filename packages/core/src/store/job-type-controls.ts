import { sql } from 'kysely';
import { JobbyError } from '../errors.js';
import type { StoreContext } from './store-context.js';
import { integerArrayLiteral } from './array-parameters.js';

/**
 * Flow control per job type (issue 19): pause and resume, a cluster-wide limit on running jobs, a
 * rate limit on starts (claims), and a limit on running jobs per group key. Limits are declared in
 * code (`JobRegistry.limit`, written at worker start) and changeable at run time, which wins until
 * cleared (sql/job-type-controls.sql). Enforced by the claim in Postgres (sql/job-claim.sql), so
 * they hold across any number of workers on any number of machines.
 */

/** At most `limit` starts of the type in any window of `intervalMs`, across every worker. */
export interface JobTypeRateLimit {
  limit: number;
  intervalMs: number;
}

/** Where a limit in force comes from: set at run time (it wins until cleared), or declared in code. */
export type JobTypeLimitSource = 'run-time' | 'code';

/** The limits of a job type (null: none). */
export interface JobTypeLimits {
  /** At most this many of the type's jobs run at once across every worker. */
  concurrency: number | null;
  rate: JobTypeRateLimit | null;
  /** At most this many of the type's jobs with one group key run at once (the type's `groupKey`). */
  groupConcurrency: number | null;
}

export interface JobTypeControls extends JobTypeLimits {
  typeId: number;
  /** No worker claims the type's jobs; they wait, nothing is lost. */
  paused: boolean;
  /** What the code declares (`JobRegistry.limit`, written by the last worker started). */
  declared: JobTypeLimits;
  /**
   * Where each limit in force comes from; null when there is none. `run-time` with a null limit:
   * removed at run time although the code declares one.
   */
  sources: { concurrency: JobTypeLimitSource | null; rate: JobTypeLimitSource | null; groupConcurrency: JobTypeLimitSource | null };
}

export interface JobTypeControlChange {
  paused?: boolean;
  /** A limit of 1 or more, or null to remove the limit (until cleared, where the code declares one). */
  concurrency?: number | null;
  /** A rate limit, or null to remove it. */
  rate?: JobTypeRateLimit | null;
  /** A limit per group key, or null to remove it. */
  groupConcurrency?: number | null;
  /** Drops every limit set at run time first: the code's limits are in force again. */
  clearLimits?: boolean;
}

/** A job type's limits as its code declares them (`JobRegistry.limit`). */
export interface JobTypeLimitDeclaration {
  typeId: number;
  concurrency?: number;
  rate?: JobTypeRateLimit;
  groupConcurrency?: number;
}

interface ControlRow {
  paused: boolean;
  concurrency: number | null;
  rate_limit: number | null;
  rate_interval_ms: number | null;
  group_concurrency: number | null;
  declared_concurrency: number | null;
  declared_rate_limit: number | null;
  declared_rate_interval_ms: number | null;
  declared_group_concurrency: number | null;
  concurrency_overridden: boolean;
  rate_overridden: boolean;
  group_concurrency_overridden: boolean;
}

const controlColumns = sql.raw(`paused, concurrency, rate_limit, rate_interval_ms, group_concurrency, declared_concurrency, declared_rate_limit,
  declared_rate_interval_ms, declared_group_concurrency, concurrency_overridden, rate_overridden, group_concurrency_overridden`);

const rateOf = (limit: number | null, intervalMs: number | null) => (limit !== null && intervalMs !== null ? { limit, intervalMs } : null);

function sourceOf(overridden: boolean, declared: unknown): JobTypeLimitSource | null {
  return overridden ? 'run-time' : declared !== null ? 'code' : null;
}

function toControls(typeId: number, row: ControlRow): JobTypeControls {
  const declared: JobTypeLimits = {
    concurrency: row.declared_concurrency,
    rate: rateOf(row.declared_rate_limit, row.declared_rate_interval_ms),
    groupConcurrency: row.declared_group_concurrency,
  };
  return {
    typeId,
    paused: row.paused,
    concurrency: row.concurrency,
    rate: rateOf(row.rate_limit, row.rate_interval_ms),
    groupConcurrency: row.group_concurrency,
    declared,
    sources: {
      concurrency: sourceOf(row.concurrency_overridden, declared.concurrency),
      rate: sourceOf(row.rate_overridden, declared.rate),
      groupConcurrency: sourceOf(row.group_concurrency_overridden, declared.groupConcurrency),
    },
  };
}

/** A type without any control: what the store answers for a type it has no row for. */
export function noControls(typeId: number): JobTypeControls {
  const none = { concurrency: null, rate: null, groupConcurrency: null };
  return { typeId, paused: false, ...none, declared: { ...none }, sources: { ...none } };
}

/** Checks a rate limit; throws a JobbyError naming the type and the bad field. */
export function checkRateLimit(rate: JobTypeRateLimit, typeName: string): void {
  if (!(Number.isInteger(rate.limit) && rate.limit >= 1 && rate.limit <= 1_000_000)) {
    throw new JobbyError('INVALID_ARGUMENT', `rate limit of ${typeName} must be an integer from 1 to 1,000,000 starts per interval, got ${String(rate.limit)}`);
  }
  if (!(Number.isInteger(rate.intervalMs) && rate.intervalMs >= 1 && rate.intervalMs <= 86_400_000)) {
    throw new JobbyError('INVALID_ARGUMENT', `rate interval of ${typeName} must be an integer number of milliseconds from 1 to 86,400,000 (a day), got ${String(rate.intervalMs)}`);
  }
}

/** Checks a concurrency limit (`what`: `concurrency` or `group concurrency`). */
export function checkConcurrency(value: number, what: string, typeName: string): void {
  if (!(Number.isInteger(value) && value >= 1 && value <= 1_000_000)) {
    throw new JobbyError('INVALID_ARGUMENT', `${what} of ${typeName} must be an integer from 1 to 1,000,000 (or null for no limit), got ${String(value)}`);
  }
}

/** Changes a type's controls at run time; returns them as they are now. */
export async function jobTypeControlSet(context: StoreContext, typeId: number, change: JobTypeControlChange): Promise<JobTypeControls> {
  if (!Number.isInteger(typeId)) throw new JobbyError('INVALID_ARGUMENT', `job type id ${typeId} is not an integer`);
  const { concurrency, rate, groupConcurrency } = change;
  if (concurrency !== undefined && concurrency !== null) checkConcurrency(concurrency, 'concurrency', context.describeType(typeId));
  if (groupConcurrency !== undefined && groupConcurrency !== null) checkConcurrency(groupConcurrency, 'group concurrency', context.describeType(typeId));
  if (rate !== undefined && rate !== null) checkRateLimit(rate, context.describeType(typeId));
  try {
    const { rows } = await sql<ControlRow>`
      select ${controlColumns} from ${context.tables.fn('job_type_control_set')}(
        ${typeId}::integer, ${change.paused ?? null}::boolean, ${concurrency ?? null}::integer, ${concurrency === null}::boolean,
        ${rate?.limit ?? null}::integer, ${rate?.intervalMs ?? null}::integer, ${rate === null}::boolean,
        ${groupConcurrency ?? null}::integer, ${groupConcurrency === null}::boolean, ${change.clearLimits === true}::boolean,
        ${context.jobsChannel}::text)`.execute(context.db);
    return toControls(typeId, rows[0]!);
  } catch (error) {
    const databaseError = error as { code?: string; constraint?: string };
    if (databaseError?.code === '23503' && databaseError.constraint === 'job_types_required') {
      throw new JobbyError('UNKNOWN_JOB_TYPE', `${context.describeType(typeId)} is not registered in the database (start a worker with its registry first)`, { cause: error });
    }
    throw error;
  }
}

/**
 * Writes the limits the code declares for the job types in `scopeTypeIds` (a worker's loaded
 * plugins): a type of the scope without a declaration declares none. Limits set at run time stay
 * in force (see sql/job-type-controls.sql).
 */
export async function jobTypeLimitsDeclare(context: StoreContext, params: { scopeTypeIds: readonly number[]; limits: readonly JobTypeLimitDeclaration[] }): Promise<void> {
  const { limits } = params;
  for (const limit of limits) {
    const name = context.describeType(limit.typeId);
    if (limit.concurrency !== undefined) checkConcurrency(limit.concurrency, 'concurrency', name);
    if (limit.groupConcurrency !== undefined) checkConcurrency(limit.groupConcurrency, 'group concurrency', name);
    if (limit.rate !== undefined) checkRateLimit(limit.rate, name);
  }
  const column = (pick: (limit: JobTypeLimitDeclaration) => number | undefined) => sql.val(limits.map((limit) => pick(limit) ?? null));
  await sql`select ${context.tables.fn('job_type_limits_declare')}(
    ${integerArrayLiteral(params.scopeTypeIds)}::integer[], ${integerArrayLiteral(limits.map((limit) => limit.typeId))}::integer[],
    ${column((limit) => limit.concurrency)}::integer[], ${column((limit) => limit.rate?.limit)}::integer[],
    ${column((limit) => limit.rate?.intervalMs)}::integer[], ${column((limit) => limit.groupConcurrency)}::integer[],
    ${context.jobsChannel}::text)`.execute(context.db);
}

/** The types that have a control (paused, limited, or with limits declared in code). */
export async function jobTypeControlList(context: StoreContext): Promise<JobTypeControls[]> {
  const { rows } = await sql<ControlRow & { type_id: number }>`
    select type_id, ${controlColumns} from ${sql.table(`${context.tables.schema}.job_type_controls`)}
    order by type_id`.execute(context.db);
  return rows.map((row) => toControls(row.type_id, row));
}
