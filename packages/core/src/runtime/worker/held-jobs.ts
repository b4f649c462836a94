import type { ClaimedJob } from '../../store/job-claim.js';
import type { RegisteredWorker } from '../module-loader.js';
import type { AbortCause, JobAbort } from './job-runner.js';

/**
 * The jobs this worker holds, and the counters that the producer, the dispatcher and the lease
 * keeper share.
 *
 * A job is held from its claim until its outcome is in the database: it moves from `buffered`
 * (claimed, waiting for a slot) to `running` (its handler runs) to `completing` (its outcome is
 * with the completer). Invariant: a held job leaves this ledger only once its outcome is recorded,
 * or handed back, or once the database says its lease is gone. Every job the producer claims is
 * held until then: none is ever dropped.
 */

/** One job type this worker runs: its local buffer, its running handlers and its poll clock. */
export interface JobTypeSlots {
  worker: RegisteredWorker;
  buffer: HeldJob[];
  running: number;
  nextPollAt: number;
  /** Fetch at the next opportunity (a notification came, or the last claim was full). */
  forced: boolean;
  lastClaimFull: boolean;
}

export interface HeldJob {
  job: ClaimedJob;
  type: JobTypeSlots;
  phase: 'buffered' | 'running' | 'completing';
  controller?: JobAbort;
  abortCause?: AbortCause;
  startedAt?: number;
  timeout?: NodeJS.Timeout;
  /** The outcome was recorded (or handed to the completer); the handler may still run (see dispatcher.ts). */
  settled?: Promise<void>;
  durationMs?: number;
}

export class HeldJobs {
  /** The job types this worker runs, by id. */
  readonly types = new Map<number, JobTypeSlots>();
  /** Jobs whose handler has not settled, by id: a job in here does not start again (see dispatcher.ts). */
  readonly handlersRunning = new Map<string, HeldJob>();
  /** Handlers running, over all types (an abandoned handler counts until it settles). */
  runningTotal = 0;
  /** Jobs waiting in the types' buffers. */
  bufferedTotal = 0;
  private readonly byId = new Map<string, HeldJob>();

  get size(): number {
    return this.byId.size;
  }

  get(id: string): HeldJob | undefined {
    return this.byId.get(id);
  }

  /** A snapshot of every held job. */
  all(): HeldJob[] {
    return [...this.byId.values()];
  }

  inPhase(phase: HeldJob['phase']): HeldJob[] {
    return this.all().filter((held) => held.phase === phase);
  }

  /** True while `held` is the current holding of its job (a later claim of the same job replaces it). */
  isCurrent(held: HeldJob): boolean {
    return this.byId.get(held.job.id) === held;
  }

  hold(held: HeldJob): void {
    this.byId.set(held.job.id, held);
  }

  /** Queues a held job in its type's buffer, where it waits for a slot. */
  buffer(held: HeldJob): void {
    held.type.buffer.push(held);
    this.bufferedTotal++;
  }

  /** Takes a job out of its type's buffer, if it is there. */
  unbuffer(held: HeldJob): void {
    const index = held.type?.buffer.indexOf(held) ?? -1;
    if (index < 0) return;
    held.type.buffer.splice(index, 1);
    this.bufferedTotal--;
  }

  /** The job's outcome is in the database (or its lease is gone): it is ours no more. */
  release(held: HeldJob): void {
    if (this.isCurrent(held)) this.byId.delete(held.job.id);
  }
}
