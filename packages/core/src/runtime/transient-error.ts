import { backoffDelay } from './backoff.js';

/**
 * Errors that mean "the database is not reachable right now" (restart, network, failover): the
 * worker waits and retries them. Everything else is a real error.
 */
const transientCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  '57P01', // admin_shutdown (pg_terminate_backend, server restart)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up)
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

export function isTransientDatabaseError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return false;
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (transientCodes.has(code) || code.startsWith('08'))) return true;
    if (
      typeof message === 'string' &&
      /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection|the database system is (starting up|shutting down)|socket hang up|read ECONNRESET/i.test(message)
    ) {
      return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export interface RetryTransientOptions {
  /** Tries in all, the first included. Default 6. */
  attempts?: number;
  /** The first wait; each next one doubles, up to `maxDelayMs`. Default 50 ms. */
  baseDelayMs?: number;
  /** Default 2,000 ms. */
  maxDelayMs?: number;
  /** Called before each wait (for logs and counts). */
  onRetry?: (error: unknown, failedAttempt: number, delayMs: number) => void;
}

/**
 * Runs `task` again after a transient database error ({@link isTransientDatabaseError}: deadlock
 * 40P01, serialization failure 40001, a lost or refused connection), a bounded number of times,
 * waiting with exponential backoff and jitter in between; any other error, or the last transient
 * one, is thrown as it is.
 *
 * Only for work that is safe to run twice: a retry after a lost connection cannot know whether the
 * lost try committed. The jitter (each wait drawn between half and all of its step) spreads apart
 * callers that failed together, say the two sides of a deadlock, so that they do not meet again.
 *
 * @example
 * ```ts
 * const results = await retryTransient(() => store.jobEnqueueMany(jobs)); // idempotent by (type, key)
 * ```
 */
export async function retryTransient<T>(task: () => Promise<T>, options: RetryTransientOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 6);
  const baseDelayMs = options.baseDelayMs ?? 50;
  const maxDelayMs = options.maxDelayMs ?? 2_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (attempt >= attempts || !isTransientDatabaseError(error)) throw error;
      const delayMs = backoffDelay(attempt, { baseMs: baseDelayMs, maxMs: maxDelayMs });
      options.onRetry?.(error, attempt, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
