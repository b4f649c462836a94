import { backoffDelay, databaseOutageBackoff } from '../backoff.js';
import { isTransientDatabaseError } from '../transient-error.js';

/** How a worker part reports an error it survives: logged, and emitted as `worker:error`. */
export type ReportError = (error: unknown, during: string) => void;

export interface UntilDatabaseParams {
  /** What the task does, for the report: `registering the worker`. */
  during: string;
  reportError: ReportError;
  /** True once the worker has stopped: a transient error then ends the wait. */
  isStopped: () => boolean;
  /** Give up after this long. Default: never. */
  maxWaitMs?: number;
}

/**
 * Runs `task`, waiting out transient database errors (a restart, a lost connection) with
 * exponential backoff ({@link databaseOutageBackoff}: up to 5 s); rethrows any other error at once. A worker that starts while its
 * database is still starting waits for it instead of exiting.
 *
 * @example
 * ```ts
 * await untilDatabase(() => store.workerHeartbeat(id), { during: 'heartbeat', reportError, isStopped: () => false });
 * ```
 */
export async function untilDatabase<T>(task: () => Promise<T>, params: UntilDatabaseParams): Promise<T> {
  const started = Date.now();
  const maxWaitMs = params.maxWaitMs ?? Number.POSITIVE_INFINITY;
  for (let failures = 1; ; failures++) {
    try {
      return await task();
    } catch (error) {
      if (!isTransientDatabaseError(error) || Date.now() - started > maxWaitMs || params.isStopped()) throw error;
      params.reportError(error, params.during);
      await sleep(backoffDelay(failures, databaseOutageBackoff));
    }
  }
}

export const sleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));
