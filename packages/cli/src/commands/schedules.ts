import { parseCron, type JobbyRegistry } from '@jobby/core';
import { createJobAdmin, scheduleJson, type ScheduleJson as StoredScheduleJson } from '@jobby/core/admin';
import { withDatabase } from '../database.js';
import type { CommandContext } from '../program.js';
import { loadRegistry } from '../project.js';

/**
 * `jobby schedules list`: the schedules the workers declared (issue 19), with their next and last
 * fire times, and those no longer declared in code (removed: they stopped firing); also the
 * schedules codegen found in the plugins' sources that no worker has run yet (`not-started`).
 */

/**
 * A row of `--json`: the stored schedules' JSON, and `not-started` for one that codegen found in
 * the plugins' sources but no worker has declared yet.
 */
export type ScheduleJson = Omit<StoredScheduleJson, 'state'> & { state: StoredScheduleJson['state'] | 'not-started' };

function line(schedule: ScheduleJson): string {
  const head = `${schedule.type}/${schedule.name}  "${schedule.cron}" ${schedule.timezone}, catch-up ${schedule.catchUp}`;
  if (schedule.state === 'not-started') return `${head}  next ${schedule.nextFireAt ?? 'never'} once a worker runs it (not started)`;
  if (schedule.state === 'removed') return `${head}  removed at ${schedule.removedAt} (no longer declared in code), last ${schedule.lastFireAt ?? 'never'}`;
  return `${head}  next ${schedule.nextFireAt ?? 'never'}, last ${schedule.lastFireAt ?? 'never'}`;
}

/** The registry's schedules that the database does not know yet. */
function notStarted(registry: JobbyRegistry, known: readonly ScheduleJson[], now: Date): ScheduleJson[] {
  const seen = new Set(known.map((row) => `${row.type}/${row.name}`));
  return registry.plugins.flatMap((plugin) =>
    (plugin.schedules ?? [])
      .filter((schedule) => !seen.has(`${plugin.name}.${schedule.type}/${schedule.name}`))
      .map((schedule) => ({
        type: `${plugin.name}.${schedule.type}`,
        name: schedule.name,
        cron: schedule.cron,
        timezone: schedule.timezone,
        catchUp: schedule.catchUp,
        state: 'not-started' as const,
        nextFireAt: parseCron(schedule.cron, schedule.timezone).nextAfter(now)?.toISOString() ?? null,
        lastFireAt: null,
        removedAt: null,
      })),
  );
}

export async function schedulesListAction(flags: { json?: boolean }, context: CommandContext): Promise<void> {
  const registry = await loadRegistry(context.io.cwd);
  const { stored, now } = await withDatabase(async (database) => {
    const admin = createJobAdmin(database);
    return { stored: (await admin.scheduleList()).map(scheduleJson), now: await admin.databaseNow() };
  });
  const rows = [...stored, ...notStarted(registry, stored, now)].sort((a, b) => (a.type === b.type ? (a.name < b.name ? -1 : 1) : a.type < b.type ? -1 : 1));
  context.io.stdout(
    flags.json ? `${JSON.stringify(rows, null, 2)}\n` : rows.length === 0 ? 'no schedules (a worker records the schedules its modules declare when it starts)\n' : `${rows.map(line).join('\n')}\n`,
  );
}
