import { sql } from 'kysely';
import { cronProblem, parseCron } from '../runtime/schedule-plan.js';
import type { AdminContext } from './admin-context.js';

/**
 * The schedules the workers declared (`job_schedules`, a small table read whole), with their next
 * and last fire times. `active`: declared by the code the workers run; `removed`: a worker of its
 * plugin started without declaring it, so it no longer fires.
 */

export interface AdminSchedule {
  /** `plugin.Job`, as the database knows the type. */
  type: string;
  typeId: number;
  name: string;
  cron: string;
  timezone: string;
  /** `none`, `last` or `up-to-N`. */
  catchUp: string;
  state: 'active' | 'removed';
  /** The next slot after now; null for a removed schedule (or a cron with no future slot). */
  nextFireAt: Date | null;
  /** The latest slot whose job was enqueued; null before the first. */
  lastFireAt: Date | null;
  /** When a worker last declared it. */
  declaredAt: Date;
  removedAt: Date | null;
}

/**
 * A schedule as JSON (ISO 8601 times), one shape for `GET /api/schedules` and
 * `jobby schedules list --json`.
 *
 * @example
 * const rows = (await admin.scheduleList()).map(scheduleJson);
 */
export interface ScheduleJson {
  /** `plugin.Job`. */
  type: string;
  name: string;
  cron: string;
  timezone: string;
  /** `none`, `last` or `up-to-N`. */
  catchUp: string;
  /** `active`; `removed`: no longer declared in code, no longer firing. */
  state: 'active' | 'removed';
  /** ISO 8601; null when removed. */
  nextFireAt: string | null;
  /** The latest slot whose job was enqueued; null before the first. */
  lastFireAt: string | null;
  removedAt: string | null;
}

export function scheduleJson(schedule: AdminSchedule): ScheduleJson {
  return {
    type: schedule.type,
    name: schedule.name,
    cron: schedule.cron,
    timezone: schedule.timezone,
    catchUp: schedule.catchUp,
    state: schedule.state,
    nextFireAt: schedule.nextFireAt?.toISOString() ?? null,
    lastFireAt: schedule.lastFireAt?.toISOString() ?? null,
    removedAt: schedule.removedAt?.toISOString() ?? null,
  };
}

export async function scheduleList(context: AdminContext): Promise<AdminSchedule[]> {
  const { rows } = await sql<{
    type_id: number; type_name: string | null; name: string; cron: string; timezone: string; catch_up: string;
    last_fire_at: Date | null; declared_at: Date; removed_at: Date | null; now: Date;
  }>`
    select s.type_id, t.name as type_name, s.name, s.cron, s.timezone, s.catch_up, s.last_fire_at, s.declared_at, s.removed_at, now() as now
      from ${sql.table(`${context.tables.schema}.job_schedules`)} s
      left join ${context.tables.jobTypes} t on t.id = s.type_id
     order by t.name, s.name`.execute(context.db);
  return rows.map((row) => {
    const removed = row.removed_at !== null;
    const nextFireAt = removed || cronProblem(row.cron, row.timezone) ? null : parseCron(row.cron, row.timezone).nextAfter(row.now);
    return {
      type: row.type_name ?? `unknown#${row.type_id}`,
      typeId: row.type_id,
      name: row.name,
      cron: row.cron,
      timezone: row.timezone,
      catchUp: row.catch_up,
      state: removed ? 'removed' : 'active',
      nextFireAt,
      lastFireAt: row.last_fire_at,
      declaredAt: row.declared_at,
      removedAt: row.removed_at,
    };
  });
}
