import type { Logger } from 'pino';
import { isJobbyError } from '../../errors.js';
import { backoffDelay, databaseOutageBackoff } from '../backoff.js';
import type { CompleteJobParams } from '../../store/job-complete.js';
import type { FailJobParams } from '../../store/job-fail.js';
import type { JobStore } from '../../store/job-store.js';

/**
 * Records outcomes in batches, like a group commit: when no write is in flight an outcome is
 * written at once (no added latency when idle); while one is in flight, outcomes accumulate and go
 * in the next batch (throughput under load). A failed write is retried with backoff; outcomes are
 * never dropped while the process lives — if it dies, leases expire and the jobs run again
 * (at-least-once).
 *
 * Successes carrying actions (submitted jobs) are written alone when a batch write fails, so that
 * one bad submission fails only its own job.
 */

export interface CompleterOutcome {
  success?: CompleteJobParams;
  failure?: FailJobParams;
  /**
   * Called once the outcome is in the database: completed, retried, failed or stale. Receives the
   * outcome itself, so that a caller can pass one shared function and keep its own state in
   * `context` (no closures per job on the hot path).
   */
  done: (result: { status: 'completed' | 'retried' | 'failed' | 'stale'; cancelledDescendants?: string[] }, outcome: CompleterOutcome) => void;
  /** Called when a success could not be written (e.g. an action's submission was invalid). */
  rejected: (error: unknown, outcome: CompleterOutcome) => void;
  /** Opaque to the completer: the caller's own state for `done` and `rejected`. */
  context?: unknown;
}

export interface CompleterOptions {
  store: JobStore;
  logger: Logger;
  maxBatch?: number;
  onError: (error: unknown) => void;
}

export class Completer {
  private readonly pending: CompleterOutcome[] = [];
  private flushing: Promise<void> | undefined;
  private readonly maxBatch: number;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: CompleterOptions) {
    this.maxBatch = options.maxBatch ?? 500;
  }

  /** Outcomes waiting or being written. */
  get backlog(): number {
    return this.pending.length;
  }

  push(outcome: CompleterOutcome): void {
    this.pending.push(outcome);
    if (!this.flushing) this.flushing = this.drain();
  }

  /** Resolves when every outcome pushed so far is written. */
  async idle(): Promise<void> {
    if (!this.flushing && this.pending.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    let failures = 0;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        await this.write(batch);
        failures = 0;
      } catch (error) {
        // The database is unreachable: keep the outcomes, retry with backoff.
        this.pending.unshift(...batch);
        failures++;
        this.options.onError(error);
        await sleep(backoffDelay(failures, databaseOutageBackoff));
      }
    }
    this.flushing = undefined;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async write(batch: CompleterOutcome[]): Promise<void> {
    const successes = batch.filter((outcome) => outcome.success);
    const failures = batch.filter((outcome) => outcome.failure);
    const { store } = this.options;
    if (successes.length > 0) {
      try {
        const result = await store.jobCompleteMany(successes.map((outcome) => outcome.success!));
        const stale = new Set(result.stale);
        for (const outcome of successes) outcome.done(stale.has(outcome.success!.id) ? staleResult : completedResult, outcome);
      } catch (error) {
        if (!successes.some((outcome) => outcome.success!.submissions?.length) || !isStatementError(error)) throw error;
        // One success's submissions were refused: write each alone so only that job fails.
        for (const outcome of successes) {
          try {
            const result = await store.jobCompleteMany([outcome.success!]);
            outcome.done({ status: result.completed.length > 0 ? 'completed' : 'stale' }, outcome);
          } catch (singleError) {
            if (!isStatementError(singleError)) throw singleError;
            outcome.rejected(singleError, outcome);
          }
        }
      }
    }
    if (failures.length > 0) {
      const result = await store.jobFailMany(failures.map((outcome) => outcome.failure!));
      const retried = new Set(result.retried);
      const failed = new Set(result.failed);
      for (const outcome of failures) {
        const id = outcome.failure!.id;
        outcome.done(
          {
            status: retried.has(id) ? 'retried' : failed.has(id) ? 'failed' : 'stale',
            cancelledDescendants: failed.has(id) ? result.cancelledDescendants : undefined,
          },
          outcome,
        );
      }
    }
  }
}

const statementErrorClasses = new Set(['22', '23', '42']);

/** True for errors caused by the statement's data (a constraint, a jobby check), not by the connection. */
function isStatementError(error: unknown): boolean {
  if (isJobbyError(error)) return true; // a check of ours (an invalid child job's input, say)
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  // SQLSTATE classes 22 (data), 23 (integrity), 42 (syntax/undefined): retrying cannot help.
  return typeof code === 'string' && statementErrorClasses.has(code.slice(0, 2));
}

const completedResult = Object.freeze({ status: 'completed' as const });
const staleResult = Object.freeze({ status: 'stale' as const });

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
