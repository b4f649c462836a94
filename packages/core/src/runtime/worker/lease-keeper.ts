import type { JobStore } from '../../store/job-store.js';
import type { HeldJob, HeldJobs } from './held-jobs.js';
import type { AbortCause } from './job-runner.js';

/**
 * The lease keeper: every third of the lease, records the worker's heartbeat and extends the
 * leases of every held job in one statement. A job whose lease was not extended is no longer ours
 * (its lease expired and the sweep rescued it, or it was cancelled): a running handler is aborted,
 * a buffered job is let go unstarted. A cancellation notification aborts the job's handler at once.
 *
 * Invariant: a job runs here only while its lease is ours; the database, not this process, decides.
 */

export interface LeaseKeeperParams {
  workerId: string;
  store: JobStore;
  held: HeldJobs;
  leaseSeconds: number;
  abort: (held: HeldJob, cause: AbortCause) => void;
}

export class LeaseKeeper {
  constructor(private readonly params: LeaseKeeperParams) {}

  /** How often leases are extended: a third of the lease, at least every 500 ms. */
  get intervalMs(): number {
    return Math.max(500, (this.params.leaseSeconds * 1000) / 3);
  }

  async keepLeases(): Promise<void> {
    const { store, held: ledger, workerId, leaseSeconds } = this.params;
    const jobs = ledger.all();
    await store.workerHeartbeat(workerId);
    if (jobs.length === 0) return;
    const kept = new Set(await store.jobLeaseExtend({ jobs: jobs.map((held) => ({ id: held.job.id, attemptToken: held.job.attemptToken })), leaseSeconds }));
    for (const held of jobs) {
      if (kept.has(held.job.id) || !ledger.isCurrent(held)) continue;
      if (held.phase === 'running') this.params.abort(held, 'lease-lost');
      else if (held.phase === 'buffered') {
        ledger.unbuffer(held);
        ledger.release(held);
      }
    }
  }

  /** A `cancel` notification: the job's id, when one of ours runs, aborts its handler. */
  onCancelled(id: string | undefined): void {
    const held = id ? this.params.held.get(id) : undefined;
    if (!held) return;
    if (held.phase === 'running') this.params.abort(held, 'cancelled');
  }
}
