import { sql, type RawBuilder } from 'kysely';
import type { AdminContext } from './admin-context.js';
import { currentOutcome, finalOutcomeIn } from './job-state-sources.js';

/**
 * Failure triage: the jobs that failed for good and those retrying after a failure, grouped by
 * type and error (its code and the first 200 characters of its message), with counts and when the
 * error was first and last seen. Failed jobs come from the final unsuccessful outcomes that are
 * still their job's state (job_outcomes_unsuccessful_idx: failures only, never the successes);
 * retrying jobs from job_queue (attempts > 0) with their latest outcome (job_outcomes_job_idx).
 * A group's members (`jobFailureGroupIds`) are read the same way, for a retry or cancellation of
 * the whole group.
 */

export interface FailureGroup {
  typeId: number;
  /** `failed`: failed for good; `retrying`: queued again after a failed attempt. */
  state: 'failed' | 'retrying';
  code: string | null;
  /** The first 200 characters of the message. */
  message: string;
  count: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

export interface FailureGroupKey {
  typeId: number;
  state: 'failed' | 'retrying';
  code: string | null;
  message: string;
}

const messageLength = 200;

function members(context: AdminContext, state: 'failed' | 'retrying'): RawBuilder<unknown> {
  const { tables } = context;
  if (state === 'failed') {
    return sql`select o.job_id, o.type_id, o.error ->> 'code' as code, left(coalesce(o.error ->> 'message', ''), ${messageLength}) as message, o.finished_at
      from ${tables.jobOutcomes} o where ${finalOutcomeIn(['failed'])} and ${currentOutcome(context)}`;
  }
  return sql`select q.job_id, q.type_id, l.error ->> 'code' as code, left(coalesce(l.error ->> 'message', ''), ${messageLength}) as message, l.finished_at
    from ${tables.jobQueue} q
    cross join lateral (select o.error, o.finished_at from ${tables.jobOutcomes} o where o.job_id = q.job_id order by o.finished_at desc, o.attempt desc limit 1) l
    where q.attempts > 0`;
}

export async function jobFailureGroups(context: AdminContext, params: { limit: number }): Promise<FailureGroup[]> {
  const limit = Math.min(Math.max(Math.trunc(params.limit), 1), 500);
  const { rows } = await sql<{ type_id: number; state: 'failed' | 'retrying'; code: string | null; message: string; count: string; first_seen: Date; last_seen: Date }>`
    select m.type_id, m.state, m.code, m.message, count(*) as count, min(m.finished_at) as first_seen, max(m.finished_at) as last_seen
    from (
      select f.*, 'failed' as state from (${members(context, 'failed')}) f
      union all
      select r.*, 'retrying' as state from (${members(context, 'retrying')}) r
    ) m
    group by m.type_id, m.state, m.code, m.message
    order by count(*) desc, max(m.finished_at) desc
    limit ${limit}`.execute(context.db);
  return rows.map((row) => ({
    typeId: row.type_id,
    state: row.state,
    code: row.code,
    message: row.message,
    count: Number(row.count),
    firstSeenAt: new Date(row.first_seen),
    lastSeenAt: new Date(row.last_seen),
  }));
}

/** The ids of a group's jobs, newest failure first, at most `limit` (1–10,000). */
export async function jobFailureGroupIds(context: AdminContext, params: FailureGroupKey & { limit: number }): Promise<string[]> {
  const limit = Math.min(Math.max(Math.trunc(params.limit), 1), 10_000);
  const { rows } = await sql<{ job_id: string }>`
    select m.job_id from (${members(context, params.state)}) m
    where m.type_id = ${params.typeId}::integer and m.code is not distinct from ${params.code}::text and m.message = ${params.message}::text
    order by m.finished_at desc limit ${limit}`.execute(context.db);
  return rows.map((row) => String(row.job_id));
}
