import { createJobAdmin, type AdminSchedule } from '@jobby/core/admin';
import { withDatabase } from '../database.js';
import type { CommandContext } from '../program.js';

/**
 * `jobby schedules list`: the schedules the workers declared (issue 19), with their next and last
 * fire times, and those no longer declared in code (removed: they stopped firing).
 */

export interface ScheduleJson {
  /** `plugin.Job`. */
  type: string;
  name: string;
  cron: string;
  timezone: string;
  /** `none`, `last` or `up-to-N`. */
  catchUp: string;
  /** `active`, or `removed`: no longer declared in code, no longer firing. */
  state: 'active' | 'removed';
  /** ISO 8601; null when removed. */
  nextFireAt: string | null;
  /** The latest slot whose job was enqueued; null before the first. */
  lastFireAt: string | null;
  removedAt: string | null;
}

function toJson(schedule: AdminSchedule): ScheduleJson {
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

function line(schedule: ScheduleJson): string {
  const head = `${schedule.type}/${schedule.name}  "${schedule.cron}" ${schedule.timezone}, catch-up ${schedule.catchUp}`;
  if (schedule.state === 'removed') return `${head}  removed at ${schedule.removedAt} (no longer declared in code), last ${schedule.lastFireAt ?? 'never'}`;
  return `${head}  next ${schedule.nextFireAt ?? 'never'}, last ${schedule.lastFireAt ?? 'never'}`;
}

export async function schedulesListAction(flags: { json?: boolean }, context: CommandContext): Promise<void> {
  const rows = (await withDatabase(async (database) => createJobAdmin(database).scheduleList())).map(toJson);
  context.io.stdout(
    flags.json ? `${JSON.stringify(rows, null, 2)}\n` : rows.length === 0 ? 'no schedules (a worker records the schedules its modules declare when it starts)\n' : `${rows.map(line).join('\n')}\n`,
  );
}
