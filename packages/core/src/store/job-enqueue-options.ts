import { isValidPriority, maxPriority, minPriority } from '../contract/priority.js';
import { JobbyError } from '../errors.js';

/**
 * The per-job options of an enqueue, checked by the client when a submission is prepared (before
 * its input is serialized) and again by the store for every enqueue, so that a bad value is a clear
 * `INVALID_ARGUMENT` naming the option, its value and the allowed range, never a raw database error
 * (22009 for a year past 9999, 22P02 for a fractional retention) or a TypeError.
 */

export const maxAttemptsRange = { min: 1, max: 1_000 } as const;
/** retention_seconds is an `integer` column: up to 2^31 − 1 seconds (about 68 years). */
export const maxRetentionSeconds = 2_147_483_647;
/**
 * Years 1–9999 (UTC), the range of a four-digit ISO year: `toISOString()` writes years past 9999
 * and before 1 in the extended form (`+010000-…`, `-000001-…`), which Postgres refuses (22009).
 */
export const runAtRange = { min: Date.parse('0001-01-01T00:00:00.000Z'), max: Date.parse('9999-12-31T23:59:59.999Z') } as const;

export interface EnqueueOptionValues {
  maxAttempts?: unknown;
  priority?: unknown;
  runAt?: unknown;
  retentionSeconds?: unknown;
}

const describeValue = (value: unknown) =>
  typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : value instanceof Date ? 'an invalid Date' : String(value);

/**
 * Throws `INVALID_ARGUMENT` naming `what` (`demo.Produce:key`) and the option when one is out of
 * range; undefined options are fine (defaults apply).
 *
 * @example
 * ```ts
 * assertEnqueueOptions({ runAt: new Date('+010000-01-01') }, 'demo.Produce:k'); // throws: runAt … years 1–9999
 * ```
 */
export function assertEnqueueOptions(options: EnqueueOptionValues, what: string): void {
  const { maxAttempts, priority, runAt, retentionSeconds } = options;
  const fail = (message: string) => {
    throw new JobbyError('INVALID_ARGUMENT', `${what}: ${message}`);
  };
  if (maxAttempts !== undefined && (!Number.isInteger(maxAttempts) || (maxAttempts as number) < maxAttemptsRange.min || (maxAttempts as number) > maxAttemptsRange.max)) {
    fail(`maxAttempts must be an integer ${maxAttemptsRange.min}–${maxAttemptsRange.max.toLocaleString('en-US')}, got ${describeValue(maxAttempts)}`);
  }
  if (priority !== undefined && !isValidPriority(priority)) {
    fail(`priority must be an integer from ${minPriority.toLocaleString('en-US')} to ${maxPriority.toLocaleString('en-US')}, got ${describeValue(priority)}`);
  }
  if (runAt !== undefined) assertRunAt(runAt, `${what}: runAt`);
  if (retentionSeconds !== undefined && (!Number.isInteger(retentionSeconds) || (retentionSeconds as number) < 0 || (retentionSeconds as number) > maxRetentionSeconds)) {
    fail(`retentionSeconds must be an integer 0–${maxRetentionSeconds.toLocaleString('en-US')} (about 68 years), got ${describeValue(retentionSeconds)}`);
  }
}

/** Throws `INVALID_ARGUMENT` unless `value` is a valid Date within years 1–9999 (UTC). */
export function assertRunAt(value: unknown, what: string): asserts value is Date {
  // Cross-realm Dates (another vm context) are Dates too.
  const isDate = value instanceof Date || Object.prototype.toString.call(value) === '[object Date]';
  if (!isDate) {
    const got = value === null ? 'null' : `${typeof value} ${describeValue(value)}`;
    throw new JobbyError('INVALID_ARGUMENT', `${what} must be a Date, got ${got}${typeof value === 'string' || typeof value === 'number' ? `: pass new Date(${describeValue(value)})` : ''}`);
  }
  const time = (value as Date).getTime();
  if (Number.isNaN(time)) throw new JobbyError('INVALID_ARGUMENT', `${what} is an invalid Date`);
  if (time < runAtRange.min || time > runAtRange.max) {
    throw new JobbyError('INVALID_ARGUMENT', `${what} must be within years 1–9999 (UTC), got ${(value as Date).toISOString()}`);
  }
}
