import type { Logger } from 'pino';
import type { JobTypeKey } from '../../contract/job-type-map.js';
import { describeError, JobbyError } from '../../errors.js';
import type { JobStore } from '../../store/job-store.js';
import type { JobbyClient } from '../client.js';
import type { DeclaredSchedule } from '../module-loader.js';
import { formatCatchUp, planSlots, slotKey } from '../schedule-plan.js';
import type { AnyKysely } from '../../contract/any-kysely.js';

/**
 * The scheduler: turns the schedules the modules declared into jobs, one per slot (fire time),
 * without a leader. Every worker that declares a schedule runs it:
 *
 * - At start, the worker records its schedules (`job_schedules`) and learns each one's cursor: every
 *   slot up to `decided_until` is decided (enqueued, or skipped by the catch-up policy). Schedules
 *   of its plugins it no longer declares are marked removed there: they stop firing, and the worker
 *   logs them (so does `jobby schedules list`).
 * - Every second it looks, in memory, for a schedule whose next undecided slot is due within half
 *   the lookahead (5 s). Then, in one transaction, it moves the cursor to now + lookahead (10 s),
 *   compare-and-set from the cursor it knew, and enqueues a job per slot up to there with
 *   run-at = the slot and key `<name>@<slot ISO instant>`. A worker that lost the race to another
 *   enqueues nothing and adopts the cursor the database returned.
 *
 * So a slot is enqueued 5–10 s ahead and waits in the queue with its run-at, and a worker that
 * dies between two fires loses nothing (the next fire, by any worker, covers the slots). Only when
 * no worker ran the schedule for longer than that are slots missed; the next fire then applies
 * the schedule's catch-up policy to them. The cursor makes each slot's decision once: a slot whose
 * job has been pruned (retention) is never enqueued again. Cost: nothing on the job hot path; one
 * short transaction per schedule every ~5 s while it fires that often (each slot of a rarer
 * schedule costs one), plus a losing compare-and-set per other worker. Time is the database's:
 * the worker keeps the offset of its clock from each answer.
 */

/** Slots due within this long are enqueued ahead (with run-at = the slot). */
export const scheduleLookaheadMs = 10_000;
/** How often the scheduler looks for due schedules (in memory). */
export const scheduleTickMs = 1_000;

interface ScheduleEntry {
  readonly schedule: DeclaredSchedule;
  decidedUntil: Date | null;
  removed: boolean;
}

export class Scheduler {
  private entries: ScheduleEntry[] = [];
  /** The database clock minus this process's clock, in ms. */
  private clockOffsetMs = 0;

  constructor(
    private readonly params: {
      store: JobStore;
      db: AnyKysely;
      client: JobbyClient;
      logger: Logger;
      schedules: readonly DeclaredSchedule[];
      /** The job types of the loaded plugins: their schedules not declared here are marked removed. */
      scopeTypeIds: readonly number[];
    },
  ) {}

  get size(): number {
    return this.entries.filter((entry) => !entry.removed).length;
  }

  /**
   * Checks each schedule's job options and input (`PAYLOAD_INVALID` and the like: a configuration
   * error, refused at start rather than at every fire).
   */
  check(): void {
    for (const schedule of this.params.schedules) {
      try {
        this.params.client.prepare(schedule.type.fullName, slotKey(schedule.name, new Date(0)), schedule.input, {
          maxAttempts: schedule.maxAttempts,
          priority: schedule.priority,
          retentionSeconds: schedule.retentionSeconds,
        });
      } catch (error) {
        throw new JobbyError('CONFIGURATION_INVALID', `schedule "${schedule.name}" of ${schedule.type.fullName}: ${describeError(error)}`, { cause: error });
      }
    }
  }

  /** Records the declared schedules and reads their cursors. */
  async declare(): Promise<void> {
    const { schedules, store, logger } = this.params;
    const localBefore = Date.now();
    const { states, now } = await store.jobScheduleDeclare({
      scopeTypeIds: this.params.scopeTypeIds,
      schedules: schedules.map((schedule) => ({
        typeId: schedule.type.id,
        name: schedule.name,
        cron: schedule.timing.cron,
        timezone: schedule.timing.timezone,
        catchUp: formatCatchUp(schedule.catchUp),
      })),
    });
    this.observeClock(now, localBefore);
    const stateOf = new Map(states.map((state) => [`${state.typeId}:${state.name}`, state]));
    this.entries = schedules.map((schedule) => {
      const state = stateOf.get(`${schedule.type.id}:${schedule.name}`);
      return { schedule, decidedUntil: state?.decidedUntil ?? null, removed: false };
    });
    const removed = states.filter((state) => state.newlyRemoved);
    if (removed.length > 0) {
      logger.warn(
        { schedules: removed.map((state) => ({ type: store.context.describeType(state.typeId), name: state.name, lastFireAt: state.lastFireAt })) },
        'schedules no longer declared in code were removed: they stop firing (jobby schedules list shows them)',
      );
    }
    if (schedules.length > 0) logger.info({ schedules: schedules.map((schedule) => `${schedule.type.fullName}/${schedule.name}`) }, 'schedules declared');
  }

  /** Fires every schedule that is due; called every {@link scheduleTickMs}. */
  async tick(): Promise<void> {
    for (const entry of this.entries) {
      if (entry.removed || !this.isDue(entry)) continue;
      await this.fire(entry);
    }
  }

  private now(): Date {
    return new Date(Date.now() + this.clockOffsetMs);
  }

  private observeClock(databaseNow: Date, localBefore: number): void {
    this.clockOffsetMs = databaseNow.getTime() - (localBefore + Date.now()) / 2;
  }

  private isDue(entry: ScheduleEntry): boolean {
    if (entry.decidedUntil === null) return true;
    const next = entry.schedule.timing.nextAfter(entry.decidedUntil);
    return next !== null && next.getTime() <= this.now().getTime() + scheduleLookaheadMs / 2;
  }

  private async fire(entry: ScheduleEntry): Promise<void> {
    const { schedule } = entry;
    const { store, client, logger } = this.params;
    const now = this.now();
    const plan = planSlots({ timing: schedule.timing, catchUp: schedule.catchUp, decidedUntil: entry.decidedUntil, now, horizon: new Date(now.getTime() + scheduleLookaheadMs) });
    const localBefore = Date.now();
    const outcome = await this.params.db.transaction().execute(async (transaction) => {
      const advance = await store.jobScheduleAdvance(
        { typeId: schedule.type.id, name: schedule.name, expectedUntil: entry.decidedUntil, newUntil: plan.decidedUntil, firedUntil: plan.slots.at(-1) ?? null },
        transaction,
      );
      if (!advance.advanced || plan.slots.length === 0) return advance;
      await client.submitMany(
        plan.slots.map((slot) => ({
          type: schedule.type.fullName as JobTypeKey,
          key: slotKey(schedule.name, slot),
          input: schedule.input as never,
          options: { runAt: slot, maxAttempts: schedule.maxAttempts, priority: schedule.priority, retentionSeconds: schedule.retentionSeconds },
        })),
        { transaction },
      );
      return advance;
    });
    this.observeClock(outcome.now, localBefore);
    if (outcome.advanced) {
      entry.decidedUntil = plan.decidedUntil;
      if (plan.skipped || plan.slots.some((slot) => slot < now)) {
        logger.info(
          { schedule: `${schedule.type.fullName}/${schedule.name}`, catchUp: formatCatchUp(schedule.catchUp), caughtUp: plan.slots.filter((slot) => slot < now).length, skipped: plan.skipped },
          'schedule missed slots while no worker ran it',
        );
      }
    } else {
      entry.decidedUntil = outcome.decidedUntil;
      entry.removed = outcome.removed;
      if (outcome.removed) logger.warn({ schedule: `${schedule.type.fullName}/${schedule.name}` }, 'schedule was removed by a newer worker that no longer declares it: it stops firing here');
    }
  }
}
