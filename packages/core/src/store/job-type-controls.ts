import { sql } from 'kysely';
import { JobbyError } from '../errors.js';
import type { StoreContext } from './store-context.js';

/**
 * Flow control per job type, changeable at run time (issue 19): pause and resume, a cluster-wide
 * limit on running jobs, and a rate limit on starts (claims). Enforced by the claim in Postgres
 * (sql/job-claim.sql), so it holds across any number of workers on any number of machines.
 */

/** At most `limit` starts of the type in any window of `intervalMs`, across every worker. */
export interface JobTypeRateLimit {
  limit: number;
  intervalMs: number;
}

export interface JobTypeControls {
  typeId: number;
  /** No worker claims the type's jobs; they wait, nothing is lost. */
  paused: boolean;
  /** At most this many of the type's jobs run at once across every worker; null: no limit. */
  concurrency: number | null;
  /** Null: no rate limit. */
  rate: JobTypeRateLimit | null;
}

export interface JobTypeControlChange {
  paused?: boolean;
  /** A limit of 1 or more, or null to remove the limit. */
  concurrency?: number | null;
  /** A rate limit, or null to remove it. */
  rate?: JobTypeRateLimit | null;
}

interface ControlRow {
  paused: boolean;
  concurrency: number | null;
  rate_limit: number | null;
  rate_interval_ms: number | null;
}

function toControls(typeId: number, row: ControlRow): JobTypeControls {
  const rate = row.rate_limit !== null && row.rate_interval_ms !== null ? { limit: row.rate_limit, intervalMs: row.rate_interval_ms } : null;
  return { typeId, paused: row.paused, concurrency: row.concurrency, rate };
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

/** Changes a type's controls; returns them as they are now. */
export async function jobTypeControlSet(context: StoreContext, typeId: number, change: JobTypeControlChange): Promise<JobTypeControls> {
  if (!Number.isInteger(typeId)) throw new JobbyError('INVALID_ARGUMENT', `job type id ${typeId} is not an integer`);
  const { concurrency } = change;
  if (concurrency !== undefined && concurrency !== null && !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 1_000_000)) {
    throw new JobbyError('INVALID_ARGUMENT', `concurrency of ${context.describeType(typeId)} must be an integer from 1 to 1,000,000 (or null for no limit), got ${String(concurrency)}`);
  }
  const { rate } = change;
  if (rate !== undefined && rate !== null) checkRateLimit(rate, context.describeType(typeId));
  try {
    const { rows } = await sql<ControlRow>`
      select paused, concurrency, rate_limit, rate_interval_ms from ${context.tables.fn('job_type_control_set')}(
        ${typeId}::integer, ${change.paused ?? null}::boolean, ${concurrency ?? null}::integer, ${concurrency === null}::boolean,
        ${rate?.limit ?? null}::integer, ${rate?.intervalMs ?? null}::integer, ${rate === null}::boolean,
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

/** The types that have a control (paused or limited). */
export async function jobTypeControlList(context: StoreContext): Promise<JobTypeControls[]> {
  const { rows } = await sql<ControlRow & { type_id: number }>`
    select type_id, paused, concurrency, rate_limit, rate_interval_ms from ${sql.table(`${context.tables.schema}.job_type_controls`)}
    order by type_id`.execute(context.db);
  return rows.map((row) => toControls(row.type_id, row));
}
