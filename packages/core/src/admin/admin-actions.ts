import { sql } from 'kysely';
import { JobbyError } from '../errors.js';
import type { AdminContext } from './admin-context.js';

/**
 * The audit trail of an operator's console (migrations/0006_admin_actions.sql): what a person
 * changed through the admin, by whom, when. The admin server records each retry, cancellation,
 * run-now, re-run, pause and limit after it succeeded; a job's page reads its trail newest first.
 * This is the one write of `@jobby/core/admin`: the console's own log, not a change to any job.
 */

export type AdminActionName = 'retry' | 'cancel' | 'run-now' | 'rerun' | 'pause' | 'resume' | 'limit';

export interface AdminActionRecordParams {
  /** Who: the credential's role (`operator`, `open`), with a name the person gave if any. At most 200 characters. */
  actor: string;
  action: AdminActionName;
  /** The jobs it changed (one row each); none for an action on a type. */
  jobIds?: readonly string[];
  typeId?: number;
  /** What else to keep: the filter of a bulk action, the limits set. Small JSON. */
  details?: Record<string, unknown>;
}

export interface AdminAction {
  id: string;
  at: Date;
  actor: string;
  action: string;
  jobId: string | null;
  typeId: number | null;
  details: Record<string, unknown> | null;
}

export interface AdminActionListParams {
  jobId?: string;
  typeId?: number;
  /** Newest first, 1–500. */
  limit: number;
}

const maxDetailsBytes = 16 * 1024;

export async function adminActionRecord(context: AdminContext, params: AdminActionRecordParams): Promise<number> {
  if (params.actor.length === 0 || params.actor.length > 200) throw new JobbyError('INVALID_ARGUMENT', 'actor must be 1–200 characters');
  const details = params.details === undefined ? null : JSON.stringify(params.details);
  if (details !== null && details.length > maxDetailsBytes) throw new JobbyError('INVALID_ARGUMENT', `details must be at most ${maxDetailsBytes} bytes of JSON`);
  const ids = (params.jobIds ?? []).map((id) => {
    if (!/^\d{1,19}$/.test(id)) throw new JobbyError('INVALID_ARGUMENT', `job id ${JSON.stringify(id)} is not a job id`);
    return id;
  });
  const { rows } = await sql<{ written: number }>`
    select ${context.tables.fn('admin_action_record')}(${params.actor}, ${params.action}, ${`{${ids.join(',')}}`}::bigint[],
      ${params.typeId ?? null}::integer, ${details}::jsonb) as written`.execute(context.db);
  return Number(rows[0]?.written ?? 0);
}

/** A job's or a type's trail, newest first (admin_actions_job_idx / admin_actions_type_idx). */
export async function adminActionList(context: AdminContext, params: AdminActionListParams): Promise<AdminAction[]> {
  const limit = Math.min(Math.max(Math.trunc(params.limit), 1), 500);
  const { tables } = context;
  const where =
    params.jobId !== undefined ? sql`a.job_id = ${params.jobId}::bigint` : params.typeId !== undefined ? sql`a.type_id = ${params.typeId}::integer` : sql`true`;
  const order = params.jobId !== undefined ? sql`a.job_id, a.id desc` : params.typeId !== undefined ? sql`a.type_id, a.id desc` : sql`a.id desc`;
  const { rows } = await sql<{ id: string; at: Date; actor: string; action: string; job_id: string | null; type_id: number | null; details: unknown }>`
    select a.id, a.at, a.actor, a.action, a.job_id, a.type_id, a.details from ${tables.adminActions} a
    where ${where} order by ${order} limit ${limit}`.execute(context.db);
  return rows.map((row) => ({
    id: String(row.id),
    at: row.at instanceof Date ? row.at : new Date(row.at),
    actor: row.actor,
    action: row.action,
    jobId: row.job_id === null ? null : String(row.job_id),
    typeId: row.type_id,
    details: typeof row.details === 'string' ? (JSON.parse(row.details) as Record<string, unknown>) : ((row.details as Record<string, unknown> | null) ?? null),
  }));
}
