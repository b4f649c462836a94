/**
 * Schedules declared by plugins (issue 19): a job submitted at every fire time of a cron
 * expression, once per fire time (slot) however many workers run.
 */

/**
 * What happens to the slots that passed while no worker ran the schedule (downtime):
 * - `'none'`: skipped; the schedule carries on with the next slot;
 * - `'last'` (the default): the latest missed slot runs at once, the older ones are skipped;
 * - `{ upTo: N }`: the latest N missed slots run (oldest first), the older ones are skipped.
 */
export type ScheduleCatchUp = 'none' | 'last' | { readonly upTo: number };

/** A schedule of one job type, as `JobRegistry.schedule` takes it. */
export interface ScheduleOptions<TInput = unknown> {
  /**
   * A cron expression: 5 fields (`minute hour day-of-month month day-of-week`) or 6, with a
   * leading seconds field. Read by croner (ranges, steps, lists, names such as `MON`, `L`, `#`).
   */
  readonly cron: string;
  /** An IANA time zone (`Europe/Berlin`); the cron's wall-clock times are read in it. Default `UTC`. */
  readonly timezone?: string;
  /** The input of every job the schedule submits, typed by the job type. */
  readonly input: TInput;
  /** Tells several schedules of one job type apart (letters, digits, `-`, `_`, `.`). Default `default`. */
  readonly name?: string;
  readonly catchUp?: ScheduleCatchUp;
  /** Allowed attempts of each job (1–1,000). Default 25. */
  readonly maxAttempts?: number;
  /** Higher runs first: an integer from -1,000,000 to 1,000,000. Default 0. */
  readonly priority?: number;
  /** Seconds a finished job is kept; unset keeps it forever. See the README's retention. */
  readonly retentionSeconds?: number;
}
