import { sql } from 'kysely';
import type { StoreContext } from './store-context.js';
import type { AnyKysely } from '../contract/any-kysely.js';

/**
 * Schedules (issue 19): the cursor of each declared schedule, kept in `job_schedules`
 * (migrations/0005_job_schedules.sql; functions in sql/job-schedules.sql). The slots themselves
 * are computed by the worker (runtime/worker/scheduler.ts) from the cron expression; the store
 * only makes each slot's decision happen once, across every worker.
 */

/** A schedule as a worker declares it. */
export interface ScheduleDeclaration {
  typeId: number;
  name: string;
  cron: string;
  timezone: string;
  /** `none`, `last` or `up-to-N`. */
  catchUp: string;
}

/** A schedule's cursor as stored. */
export interface ScheduleState {
  typeId: number;
  name: string;
  /** Every slot up to this instant is decided (enqueued or skipped); null before the first fire. */
  decidedUntil: Date | null;
  /** The latest slot whose job was enqueued. */
  lastFireAt: Date | null;
  /** When the code stopped declaring it (it no longer fires); null while declared. */
  removedAt: Date | null;
  /** Removed by this very declaration. */
  newlyRemoved: boolean;
}

/** A stored schedule with what the code declared, for listings. */
export interface ScheduleRecord extends ScheduleDeclaration {
  decidedUntil: Date | null;
  lastFireAt: Date | null;
  declaredAt: Date;
  removedAt: Date | null;
}

export interface ScheduleAdvanceParams {
  typeId: number;
  name: string;
  /** The cursor the caller computed its slots from. */
  expectedUntil: Date | null;
  newUntil: Date;
  /** The latest slot the caller enqueues in the same transaction; null when none. */
  firedUntil: Date | null;
}

export interface ScheduleAdvanceResult {
  /** False when another worker moved the cursor first, or the schedule was removed: enqueue nothing. */
  advanced: boolean;
  decidedUntil: Date | null;
  removed: boolean;
  /** The database clock. */
  now: Date;
}

/**
 * Records the declared schedules and marks removed every other schedule of `scopeTypeIds` (the
 * job types of the plugins the worker loaded). Returns the state of every schedule of those types.
 */
export async function jobScheduleDeclare(
  context: StoreContext,
  params: { scopeTypeIds: readonly number[]; schedules: readonly ScheduleDeclaration[] },
): Promise<{ states: ScheduleState[]; now: Date }> {
  const { schedules } = params;
  const { rows } = await sql<{ type_id: number; name: string; decided_until: Date | null; last_fire_at: Date | null; removed_at: Date | null; newly_removed: boolean; now: Date }>`
    select * from ${context.tables.fn('job_schedule_declare')}(
      ${sql.val(params.scopeTypeIds)}::integer[], ${sql.val(schedules.map((schedule) => schedule.typeId))}::integer[],
      ${sql.val(schedules.map((schedule) => schedule.name))}::text[], ${sql.val(schedules.map((schedule) => schedule.cron))}::text[],
      ${sql.val(schedules.map((schedule) => schedule.timezone))}::text[], ${sql.val(schedules.map((schedule) => schedule.catchUp))}::text[])`.execute(context.db);
  const now = rows[0]?.now ?? (await sql<{ now: Date }>`select now() as now`.execute(context.db)).rows[0]!.now;
  return {
    now,
    states: rows.map((row) => ({
      typeId: row.type_id,
      name: row.name,
      decidedUntil: row.decided_until,
      lastFireAt: row.last_fire_at,
      removedAt: row.removed_at,
      newlyRemoved: row.newly_removed,
    })),
  };
}

/**
 * Moves a schedule's cursor, compare-and-set (see sql/job-schedules.sql). Run it in the
 * transaction that enqueues the slots' jobs, before them: the row lock orders the workers.
 */
export async function jobScheduleAdvance(
  context: StoreContext,
  params: ScheduleAdvanceParams,
  transaction: AnyKysely,
): Promise<ScheduleAdvanceResult> {
  const { rows } = await sql<{ advanced: boolean; decided_until: Date | null; removed: boolean; now: Date }>`
    select * from ${context.tables.fn('job_schedule_advance')}(
      ${params.typeId}::integer, ${params.name}::text, ${params.expectedUntil}::timestamptz,
      ${params.newUntil}::timestamptz, ${params.firedUntil}::timestamptz)`.execute(transaction);
  const row = rows[0]!;
  return { advanced: row.advanced, decidedUntil: row.decided_until, removed: row.removed, now: row.now };
}

/** Every stored schedule, removed ones included, by type and name. */
export async function jobScheduleList(context: StoreContext): Promise<ScheduleRecord[]> {
  const { rows } = await sql<{
    type_id: number;
    name: string;
    cron: string;
    timezone: string;
    catch_up: string;
    decided_until: Date | null;
    last_fire_at: Date | null;
    declared_at: Date;
    removed_at: Date | null;
  }>`
    select type_id, name, cron, timezone, catch_up, decided_until, last_fire_at, declared_at, removed_at
      from ${sql.table(`${context.tables.schema}.job_schedules`)} order by type_id, name`.execute(context.db);
  return rows.map((row) => ({
    typeId: row.type_id,
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    catchUp: row.catch_up,
    decidedUntil: row.decided_until,
    lastFireAt: row.last_fire_at,
    declaredAt: row.declared_at,
    removedAt: row.removed_at,
  }));
}
