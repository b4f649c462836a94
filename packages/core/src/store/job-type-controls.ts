import { sql } from 'kysely';
import { JobbyError } from '../errors.js';
import type { StoreContext } from './store-context.js';

/**
 * Flow control per job type, changeable at run time (issue 19): pause and resume, and a
 * cluster-wide limit on running jobs. Enforced by the claim in Postgres (sql/job-claim.sql), so it
 * holds across any number of workers on any number of machines.
 */

export interface JobTypeControls {
  typeId: number;
  /** No worker claims the type's jobs; they wait, nothing is lost. */
  paused: boolean;
  /** At most this many of the type's jobs run at once across every worker; null: no limit. */
  concurrency: number | null;
}

export interface JobTypeControlChange {
  paused?: boolean;
  /** A limit of 1 or more, or null to remove the limit. */
  concurrency?: number | null;
}

/** Changes a type's controls; returns them as they are now. */
export async function jobTypeControlSet(context: StoreContext, typeId: number, change: JobTypeControlChange): Promise<JobTypeControls> {
  if (!Number.isInteger(typeId)) throw new JobbyError('INVALID_ARGUMENT', `job type id ${typeId} is not an integer`);
  const { concurrency } = change;
  if (concurrency !== undefined && concurrency !== null && !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 1_000_000)) {
    throw new JobbyError('INVALID_ARGUMENT', `concurrency of ${context.describeType(typeId)} must be an integer from 1 to 1,000,000 (or null for no limit), got ${String(concurrency)}`);
  }
  try {
    const { rows } = await sql<{ paused: boolean; concurrency: number | null }>`
      select paused, concurrency from ${context.tables.fn('job_type_control_set')}(
        ${typeId}::integer, ${change.paused ?? null}::boolean, ${concurrency ?? null}::integer, ${concurrency === null}::boolean,
        ${context.jobsChannel}::text)`.execute(context.db);
    return { typeId, paused: rows[0]!.paused, concurrency: rows[0]!.concurrency };
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
  const { rows } = await sql<{ type_id: number; paused: boolean; concurrency: number | null }>`
    select type_id, paused, concurrency from ${sql.table(`${context.tables.schema}.job_type_controls`)} order by type_id`.execute(context.db);
  return rows.map((row) => ({ typeId: row.type_id, paused: row.paused, concurrency: row.concurrency }));
}
