import type { Logger } from 'pino';
import type { JobStore } from '../../store/job-store.js';
import type { WorkerEventEmitter } from '../events.js';
import type { AttemptReports } from './attempt-reports.js';
import type { Completer, CompleterOutcome } from './completer.js';
import type { HeldJob, HeldJobs } from './held-jobs.js';
import { toStoredError, type RunOutcome } from './job-runner.js';
import { untilDatabase, type ReportError } from './until-database.js';

/**
 * The end of every held job: its outcome goes to the completer (completed, retried or failed), or
 * the job goes back to the queue (shutdown), or it is let go because the database moved on (a
 * cancellation, a lost lease). Only then does it leave the ledger (held-jobs.ts), and the
 * `job:success`, `job:failure` and `job:stale` events fire once the database has the outcome.
 * An attempt that reported progress or log lines has them written first (attempt-reports.ts), so
 * that its outcome row takes the final progress; one that did not goes on at once.
 */

export interface OutcomeRecorderParams {
  store: JobStore;
  held: HeldJobs;
  completer: Completer;
  reports: AttemptReports;
  logger: Logger;
  events: WorkerEventEmitter;
  reportError: ReportError;
  isStopped: () => boolean;
}

export class OutcomeRecorder {
  constructor(private readonly params: OutcomeRecorderParams) {}

  /** Records what a handler's run (or a payload check) came to. */
  record(held: HeldJob, outcome: RunOutcome, durationMs: number): void {
    const reportWritten = this.params.reports.close(held.job);
    if (reportWritten) void reportWritten.then(() => this.recordNow(held, outcome, durationMs));
    else this.recordNow(held, outcome, durationMs);
  }

  /** Resolves once every outcome that waited for its attempt's report has gone to the completer. */
  async reportsWritten(): Promise<void> {
    await this.params.reports.flush();
  }

  private recordNow(held: HeldJob, outcome: RunOutcome, durationMs: number): void {
    const { job, type } = held;
    const { completer, logger, events } = this.params;
    const worker = type.worker;
    if (outcome.kind === 'success') {
      // The hot path (one call per job): shared callbacks, the job's state travels as `context`.
      held.durationMs = durationMs;
      completer.push({
        success: {
          id: job.id,
          attemptToken: job.attemptToken,
          outputJson: outcome.outputJson,
          runAgainAt: outcome.runAgainAt,
          runAgainInMs: outcome.runAgainInMs,
          submissions: outcome.submissions,
          // The handler's run, not the time since the claim: a prefetched job may have waited.
          runMs: durationMs,
        },
        done: this.successWritten,
        rejected: this.successRejected,
        context: held,
      });
      return;
    }
    const base = { id: job.id, type: worker.type.fullName, key: job.key, attempt: job.attempt };
    const release = () => this.params.held.release(held);
    if (outcome.kind === 'abandoned') {
      if (outcome.cause === 'shutdown') {
        // Handed back by stop(); keep it held until then.
        held.phase = 'buffered';
        return;
      }
      logger.info({ ...base, cause: outcome.cause }, 'job abandoned: the database moved on (cancelled or lease lost)');
      events.emit('job:stale', { id: job.id, type: worker.type.fullName, key: job.key });
      release();
      return;
    }
    completer.push({
      failure: {
        id: job.id,
        attemptToken: job.attemptToken,
        error: outcome.error,
        retryable: outcome.retryable,
        outcome: outcome.timedOut ? 'timed_out' : 'failed',
        backoffBaseMs: worker.options.backoffBaseMs,
        backoffMaxMs: worker.options.backoffMaxMs,
        // Only for a handler that ran (an invalid payload fails before): see the success above.
        runMs: held.startedAt === undefined ? undefined : durationMs,
      },
      done: ({ status }) => {
        if (status === 'stale') events.emit('job:stale', { id: job.id, type: worker.type.fullName, key: job.key });
        else {
          logger.warn({ ...base, error: outcome.error, willRetry: status === 'retried' }, 'job failed');
          events.emit('job:failure', { ...base, durationMs, error: outcome.error, willRetry: status === 'retried' });
        }
        release();
      },
      rejected: (error) => {
        this.params.reportError(error, 'recording a failure');
        release();
      },
    });
  }

  /**
   * Hands jobs back to the queue (they keep their place and their attempt count). If the database
   * stays unreachable for 30 s, gives up: the leases expire and the sweep hands them back.
   */
  async handBack(jobs: HeldJob[]): Promise<number> {
    if (jobs.length === 0) return 0;
    const { held: ledger, store, reportError, isStopped } = this.params;
    for (const held of jobs) ledger.unbuffer(held);
    const leases = jobs.map((held) => ({ id: held.job.id, attemptToken: held.job.attemptToken }));
    const handed = await untilDatabase(() => store.jobHandBack(leases), { during: 'handing jobs back', reportError, isStopped, maxWaitMs: 30_000 }).catch(
      (error: unknown) => {
        // The leases will expire and the sweep will hand them back: nothing is lost.
        reportError(error, 'handing jobs back');
        return [] as string[];
      },
    );
    for (const held of jobs) ledger.release(held);
    return handed.length;
  }

  private readonly successWritten: CompleterOutcome['done'] = ({ status }, outcome) => {
    const held = outcome.context as HeldJob;
    const { job, type } = held;
    const { events } = this.params;
    if (status === 'stale') events.emit('job:stale', { id: job.id, type: type.worker.type.fullName, key: job.key });
    else if (events.listenerCount('job:success') > 0) {
      events.emit('job:success', { id: job.id, type: type.worker.type.fullName, key: job.key, attempt: job.attempt, durationMs: held.durationMs ?? 0 });
    }
    this.params.held.release(held);
  };

  private readonly successRejected: CompleterOutcome['rejected'] = (error, outcome) => {
    const held = outcome.context as HeldJob;
    this.record(held, { kind: 'failure', error: toStoredError(error), retryable: true, timedOut: false }, held.durationMs ?? 0);
  };
}
