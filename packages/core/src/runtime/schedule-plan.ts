import { Cron } from 'croner';
import type { ScheduleCatchUp, ScheduleOptions } from '../contract/schedule.js';
import { JobbyError } from '../errors.js';

/**
 * The arithmetic of schedules, apart from any database: reading a cron expression and its time
 * zone (croner does both, DST included), the key of a slot, and which slots a worker enqueues on a
 * tick given how far the schedule's slots are already decided. The worker's scheduler
 * (worker/scheduler.ts) and codegen's checks use it; so does `jobby schedules list`.
 */

/** The default name of a schedule: one per job type needs none. */
export const defaultScheduleName = 'default';

/** What a schedule name may be. */
export const scheduleNamePattern = /^[A-Za-z0-9_.-]{1,100}$/;

/** A parsed cron expression in its time zone. */
export interface CronSchedule {
  readonly cron: string;
  readonly timezone: string;
  /** The first slot strictly after `after`, or null when there is none (an impossible date). */
  nextAfter(after: Date): Date | null;
  /** Up to `count` slots strictly before `before`, latest first. */
  latestBefore(before: Date, count: number): Date[];
}

/**
 * Why a cron expression or a time zone is unusable, or undefined when both are fine. Codegen
 * reports it with the file and line of the declaration; the worker refuses to start with it.
 *
 * @example
 * ```ts
 * cronProblem('0 7 * * 1', 'Europe/Berlin'); // undefined
 * cronProblem('61 * * * *', 'UTC');         // 'cron "61 * * * *" is invalid: CronPattern: Invalid value for minute: 61'
 * ```
 */
export function cronProblem(cron: string, timezone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    return `time zone "${timezone}" is not an IANA time zone (such as "UTC" or "Europe/Berlin")`;
  }
  try {
    const parsed = new Cron(cron, { timezone, mode: '5-or-6-parts' });
    parsed.nextRun(new Date(0));
  } catch (error) {
    return `cron "${cron}" is invalid: ${error instanceof Error ? error.message : String(error)} (5 fields, or 6 with a leading seconds field)`;
  }
  return undefined;
}

/**
 * Parses a cron expression (5 fields, or 6 with seconds) in an IANA time zone.
 *
 * @throws JobbyError `CONFIGURATION_INVALID` saying what is wrong.
 * @example
 * ```ts
 * parseCron('0 7 * * 1', 'Europe/Berlin').nextAfter(new Date()); // next Monday 07:00 in Berlin
 * ```
 */
export function parseCron(cron: string, timezone = 'UTC', where = 'schedule'): CronSchedule {
  const problem = typeof cron === 'string' ? cronProblem(cron, timezone) : `cron must be a string, got ${JSON.stringify(cron)}`;
  if (problem) throw new JobbyError('CONFIGURATION_INVALID', `${where}: ${problem}`);
  const pattern = new Cron(cron, { timezone, mode: '5-or-6-parts' });
  return {
    cron,
    timezone,
    nextAfter: (after) => pattern.nextRun(after),
    latestBefore: (before, count) => (count > 0 ? pattern.previousRuns(count, before) : []),
  };
}

/** `none`, `last` or `up-to-N`: how the catch-up is stored and shown. */
export function formatCatchUp(catchUp: ScheduleCatchUp): string {
  return typeof catchUp === 'string' ? catchUp : `up-to-${catchUp.upTo}`;
}

/** How many missed slots the policy runs. */
export function catchUpLimit(catchUp: ScheduleCatchUp): number {
  return catchUp === 'none' ? 0 : catchUp === 'last' ? 1 : catchUp.upTo;
}

/** A schedule's declaration, checked and with its defaults. */
export interface ResolvedSchedule {
  readonly name: string;
  readonly timing: CronSchedule;
  readonly catchUp: ScheduleCatchUp;
  readonly input: unknown;
  readonly maxAttempts?: number;
  readonly priority?: number;
  readonly retentionSeconds?: number;
}

/**
 * Checks a declaration from `JobRegistry.schedule` and fills in its defaults.
 *
 * @throws JobbyError `CONFIGURATION_INVALID` naming the schedule and what to fix.
 */
export function resolveSchedule(options: ScheduleOptions, jobType: string): ResolvedSchedule {
  if (typeof options !== 'object' || options === null) {
    throw new JobbyError('CONFIGURATION_INVALID', `schedule of ${jobType}: pass { cron, input, timezone?, name?, catchUp? }, got ${JSON.stringify(options)}`);
  }
  const name = options.name ?? defaultScheduleName;
  if (typeof name !== 'string' || !scheduleNamePattern.test(name)) {
    throw new JobbyError('CONFIGURATION_INVALID', `schedule of ${jobType}: name ${JSON.stringify(name)} must be 1–100 letters, digits, "-", "_" or "."`);
  }
  const where = `schedule "${name}" of ${jobType}`;
  const timing = parseCron(options.cron, options.timezone ?? 'UTC', where);
  const catchUp = options.catchUp ?? 'last';
  const validCatchUp =
    catchUp === 'none' ||
    catchUp === 'last' ||
    (typeof catchUp === 'object' && catchUp !== null && Number.isInteger(catchUp.upTo) && catchUp.upTo >= 1 && catchUp.upTo <= maxCatchUpSlots);
  if (!validCatchUp) {
    throw new JobbyError('CONFIGURATION_INVALID', `${where}: catchUp must be 'none', 'last' or { upTo: N } with N from 1 to ${maxCatchUpSlots}, got ${JSON.stringify(catchUp)}`);
  }
  if (options.input === undefined) throw new JobbyError('CONFIGURATION_INVALID', `${where}: input is required (the input of every job it submits)`);
  return {
    name,
    timing,
    catchUp,
    input: options.input,
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.priority === undefined ? {} : { priority: options.priority }),
    ...(options.retentionSeconds === undefined ? {} : { retentionSeconds: options.retentionSeconds }),
  };
}

/** The most missed slots `{ upTo: N }` may run. */
export const maxCatchUpSlots = 1000;

/** The most slots one tick enqueues for one schedule (a 1-second cron over the lookahead). */
const maxSlotsPerTick = 1000;

/**
 * The key of a slot's job: the schedule's name and the slot's instant, so that `(type, key)` names
 * the slot and a second enqueue of it is a no-op.
 *
 * @example
 * ```ts
 * slotKey('default', new Date('2026-12-07T06:00:00Z')); // 'default@2026-12-07T06:00:00.000Z'
 * ```
 */
export function slotKey(name: string, slot: Date): string {
  return `${name}@${slot.toISOString()}`;
}

export interface SlotPlan {
  /** The slots to enqueue now, oldest first: missed ones kept by the catch-up, then upcoming ones. */
  readonly slots: Date[];
  /** Missed slots the catch-up policy skipped (counted up to the policy's reach plus one). */
  readonly skipped: boolean;
  /** The new cursor: every slot up to it is decided. */
  readonly decidedUntil: Date;
}

/**
 * Which slots to enqueue on a tick: the slots after `decidedUntil` that are due before `horizon`.
 * Slots already past at `now` were missed (no worker ran the schedule then): the catch-up policy
 * keeps the latest of them, up to its limit. A schedule never fired before (`decidedUntil` null)
 * starts at `now`, with nothing to catch up.
 */
export function planSlots(params: { timing: CronSchedule; catchUp: ScheduleCatchUp; decidedUntil: Date | null; now: Date; horizon: Date }): SlotPlan {
  const { timing, decidedUntil, now, horizon } = params;
  const slots: Date[] = [];
  let skipped = false;
  let from: Date;
  if (decidedUntil !== null && decidedUntil < now) {
    const limit = catchUpLimit(params.catchUp);
    const missed = timing.latestBefore(now, limit + 1).filter((slot) => slot > decidedUntil);
    skipped = missed.length > limit;
    slots.push(...missed.slice(0, limit).reverse());
    // The upcoming slots start at `now` itself: a slot exactly at `now` is not missed.
    from = new Date(now.getTime() - 1);
  } else if (decidedUntil !== null) {
    from = decidedUntil;
  } else {
    from = new Date(now.getTime() - 1);
  }
  for (let slot = timing.nextAfter(from); slot !== null && slot <= horizon && slots.length < maxSlotsPerTick; slot = timing.nextAfter(slot)) {
    slots.push(slot);
  }
  // Capped: decided up to the last slot taken, the rest on the next tick.
  const capped = slots.length >= maxSlotsPerTick;
  const decided = capped ? slots[slots.length - 1]! : horizon;
  return { slots, skipped, decidedUntil: decidedUntil !== null && decidedUntil > decided ? decidedUntil : decided };
}
