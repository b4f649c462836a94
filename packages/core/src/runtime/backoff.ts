/**
 * Exponential backoff with jitter: how long to wait before trying again. Every retry loop in jobby
 * (the worker's waits for its database, the notification connection, submissions after a deadlock,
 * the chaos tools) takes its waits from here; a job's own retries follow the same formula in SQL
 * (`job_fail_many`, on the database clock).
 *
 * The wait before try `n + 1` (after `n` failures) is `min(maxMs, baseMs × 2^(n−1))`, drawn between
 * `(1 − jitter)` and all of that step. The jitter spreads apart callers that failed together (every
 * worker after a Postgres restart, the two sides of a deadlock), so that they do not meet again.
 */

export interface BackoffOptions {
  /** The first wait (after one failure), in milliseconds, before jitter. */
  baseMs: number;
  /** The longest wait, in milliseconds, before jitter. */
  maxMs: number;
  /**
   * The share of each step that is random, from 0 (none) to 1: the wait is drawn between
   * `step × (1 − jitter)` and `step`. Default 0.5 (between half and all of it).
   */
  jitter?: number;
}

/** The waits of a worker whose database is away (a restart, a failover): 100 ms doubling up to 5 s. */
export const databaseOutageBackoff: BackoffOptions = { baseMs: 100, maxMs: 5_000 };

/**
 * The wait before the next try after `failures` failures in a row (1 for the first failure).
 *
 * @param random A source of numbers in [0, 1), for tests; `Math.random` by default.
 * @example
 * ```ts
 * for (let failures = 1; ; failures++) {
 *   try { return await connect(); }
 *   catch (error) { await sleep(backoffDelay(failures, { baseMs: 100, maxMs: 5_000 })); }
 * }
 * // waits about 50–100, 100–200, 200–400 … 2,500–5,000 ms
 * ```
 */
export function backoffDelay(failures: number, options: BackoffOptions, random: () => number = Math.random): number {
  // Capped exponent: 2^40 × any sane base is far past any maxMs, and 2^1024 would be Infinity.
  const exponent = Math.min(Math.max(1, Math.floor(failures)) - 1, 40);
  const step = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
  return Math.round(step * (1 - jitter * random()));
}
