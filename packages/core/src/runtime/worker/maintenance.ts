import type { Logger } from 'pino';
import type { JobStore } from '../../store/job-store.js';
import type { ReportError } from './until-database.js';

/**
 * Maintenance: the periodic work every worker shares, so that a fleet needs no separate cron.
 * - The sweep rescues other workers' expired leases (a crashed or partitioned worker): its jobs
 *   are requeued, or failed when they have no attempts left. A dead worker's jobs therefore run
 *   again after at most lease + sweep interval.
 * - The prune deletes finished jobs whose retention has passed.
 * Both are idempotent and safe to run from every worker at once (the store locks what it takes).
 */

export async function sweepExpiredLeases(store: JobStore, logger: Logger): Promise<void> {
  const result = await store.jobLeaseRescueExpired();
  if (result.requeued.length + result.failed.length > 0) {
    logger.warn({ requeued: result.requeued.length, failed: result.failed.length }, 'rescued jobs whose lease expired');
  }
}

export async function pruneExpiredJobs(store: JobStore, logger: Logger): Promise<void> {
  const pruned = await store.jobPruneExpired();
  if (pruned > 0) logger.info({ pruned }, 'pruned expired jobs');
}

/**
 * Runs tasks on intervals, each never twice at once and only while the worker runs; a task's error
 * is reported and the task runs again at its next tick.
 */
export class PeriodicTasks {
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly params: { isRunning: () => boolean; reportError: ReportError }) {}

  /** Runs `task` every `milliseconds`; returns a function that runs it now. */
  every(milliseconds: number, during: string, task: () => Promise<void>): () => void {
    let busy = false;
    const run = () => {
      if (busy || !this.params.isRunning()) return;
      busy = true;
      task()
        .catch((error: unknown) => this.params.reportError(error, during))
        .finally(() => {
          busy = false;
        });
    };
    const timer = setInterval(run, milliseconds);
    timer.unref();
    this.timers.push(timer);
    return run;
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
  }
}
