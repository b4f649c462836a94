import type { ClaimedJob } from '../../store/job-claim.js';
import { backoffDelay, databaseOutageBackoff } from '../backoff.js';
import type { JobStore } from '../../store/job-store.js';
import type { HeldJobs, JobTypeSlots } from './held-jobs.js';
import type { ReportError } from './until-database.js';

/**
 * The producer: the fetch loop. It claims jobs in batches sized to its free room — running slots
 * plus an optional prefetch buffer — and is woken by NOTIFY (new jobs), by a freed slot after a
 * full batch, and by a per-type poll with jitter (the fallback when notifications are lost).
 *
 * Invariants:
 * - it never claims more than its room: global (`concurrency + prefetch`) and per type (the
 *   type's own concurrency + prefetch), minus what runs and what is buffered;
 * - while outcomes cannot be written (the completer's backlog is over 4× the room), it claims
 *   nothing: back-pressure rather than a growing pile of finished but unrecorded jobs;
 * - a type without room is woken by its jobs finishing, never by the clock;
 * - run-at on time: a claim that runs dry tells when the earliest future run-at of its types falls
 *   (job-claim.sql); the producer wakes for it with a timer, so a due job starts within a few
 *   milliseconds of its run-at when a slot is free, not at the next poll. Notifications (an enqueue,
 *   a retry) wake it to claim and so to learn of new run-ats.
 */

export interface ProducerParams {
  workerId: string;
  store: JobStore;
  held: HeldJobs;
  concurrency: number;
  prefetch: number;
  leaseSeconds: number;
  /** Outcomes waiting to be written (the completer's backlog). */
  completerBacklog: () => number;
  /** False once the worker stops: the loop then ends. */
  isRunning: () => boolean;
  /** Takes a claimed job in (the dispatcher buffers it or fails an invalid payload). */
  accept: (job: ClaimedJob) => void;
  /** Starts buffered jobs on free slots. */
  dispatch: () => void;
  reportError: ReportError;
}

export class Producer {
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** When the earliest known future run-at falls (Date.now() time), if any. */
  private nextRunAt: number | undefined;

  constructor(private readonly params: ProducerParams) {}

  start(): void {
    this.loop = this.produce();
  }

  /** Ends the loop (the worker is no longer running) and resolves once it has. */
  async stop(): Promise<void> {
    this.wake();
    await this.loop;
  }

  /** Looks for work now rather than at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  /** New jobs may be there for every type (a notification, a reconnection). */
  wakeAll(): void {
    for (const type of this.params.held.types.values()) type.forced = true;
    this.wake();
  }

  /** A slot of `type` was freed: refill after a full claim, or when there is room worth a claim. */
  onSlotFreed(type: JobTypeSlots): void {
    if (type.buffer.length === 0 && type.lastClaimFull) {
      type.forced = true;
      this.wake();
    } else if (this.room(type) > 0) this.wake();
  }

  private globalRoom(): number {
    const { concurrency, prefetch, held } = this.params;
    return concurrency + prefetch - held.runningTotal - held.bufferedTotal;
  }

  /**
   * A type's room. With several types, a type that has jobs buffered leaves the last
   * `concurrency` places of the global room to the types that have none: a backlog of one type
   * (a retry storm) keeps its buffer full, and without this reserve another type's new job could
   * not even be claimed until that buffer drained (issue 19, fairness between types).
   */
  private room(type: JobTypeSlots): number {
    const typeRoom = type.worker.options.concurrency + this.params.prefetch - type.running - type.buffer.length;
    const reserve = type.buffer.length > 0 && this.params.held.types.size > 1 ? Math.min(this.params.concurrency, this.params.prefetch) : 0;
    return Math.max(0, Math.min(this.globalRoom() - reserve, typeRoom));
  }

  /**
   * The least room worth a claim. A type with jobs still buffered refills once half its room is
   * free, not at every finished job: with a prefetch of 500, claims of ~250 jobs instead of a claim
   * per few jobs (each claim has a fixed cost: planning, a commit, a round trip). A type with
   * nothing buffered claims as soon as one slot is free (no added latency).
   */
  private claimThreshold(type: JobTypeSlots): number {
    if (type.buffer.length === 0) return 1;
    return Math.max(1, Math.floor((Math.min(this.params.concurrency, type.worker.options.concurrency) + this.params.prefetch) / 2));
  }

  private async produce(): Promise<void> {
    const { held, concurrency, prefetch } = this.params;
    let failures = 0;
    while (this.params.isRunning()) {
      const now = Date.now();
      if (this.nextRunAt !== undefined && this.nextRunAt <= now) {
        // A run-at is due: every type claims at its next opportunity.
        this.nextRunAt = undefined;
        for (const type of held.types.values()) type.forced = true;
      }
      // Back-pressure: while outcomes cannot be written, do not claim more.
      const backlogged = this.params.completerBacklog() > (concurrency + prefetch) * 4;
      const eligible = backlogged ? [] : [...held.types.values()].filter((type) => this.room(type) >= this.claimThreshold(type));
      const due = eligible.filter((type) => type.forced || type.nextPollAt <= now);
      if (due.length === 0) {
        // Types without enough room are woken by their jobs finishing, not by the clock (waiting
        // for their poll time spun this loop every millisecond while all slots were busy).
        let next = eligible.length > 0 ? Math.min(...eligible.map((type) => type.nextPollAt)) : now + 1_000;
        if (this.nextRunAt !== undefined && eligible.length > 0) next = Math.min(next, this.nextRunAt);
        await this.waitForWake(backlogged ? 50 : Math.max(1, Math.min(next - now, 60_000)));
        continue;
      }
      try {
        await this.claim(due);
        failures = 0;
      } catch (error) {
        failures++;
        this.params.reportError(error, 'claiming jobs');
        await this.waitForWake(backoffDelay(failures, databaseOutageBackoff));
      }
    }
  }

  private waitForWake(milliseconds: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wakeUp === done) this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, milliseconds);
      this.wakeUp = done;
    });
  }

  /**
   * Claims for the due types: in one statement when each of them has room for the whole batch,
   * else one statement per type (so that no type gets more than its room).
   */
  private async claim(due: JobTypeSlots[]): Promise<void> {
    const groups: { types: JobTypeSlots[]; limit: number }[] = [];
    const limit = Math.min(this.globalRoom(), due.reduce((sum, type) => sum + this.room(type), 0));
    if (due.every((type) => this.room(type) >= limit)) groups.push({ types: due, limit });
    // One claim per type: the types with nothing buffered first (their jobs wait on this claim;
    // a type with a full buffer has work in hand).
    else for (const type of [...due].sort((a, b) => a.buffer.length - b.buffer.length)) groups.push({ types: [type], limit: this.room(type) });
    for (const group of groups) {
      const groupLimit = Math.min(group.limit, this.globalRoom());
      const now = Date.now();
      for (const type of group.types) {
        type.forced = false;
        const { pollIntervalMs, pollJitter } = type.worker.options;
        type.nextPollAt = now + pollIntervalMs * (1 + pollJitter * Math.random());
      }
      if (groupLimit <= 0) continue;
      const claimed = await this.params.store.jobClaim({
        workerId: this.params.workerId,
        typeIds: group.types.map((type) => type.worker.type.id),
        limit: groupLimit,
        leaseSeconds: this.params.leaseSeconds,
      });
      if (claimed.nextRunInMs !== null) {
        // Rounded up: a timer that fires a millisecond early finds the job not yet due.
        const at = Date.now() + Math.ceil(claimed.nextRunInMs) + 1;
        if (this.nextRunAt === undefined || at < this.nextRunAt) this.nextRunAt = at;
      }
      const full = claimed.length >= groupLimit;
      for (const type of group.types) {
        type.lastClaimFull = full;
        if (full) type.forced = true;
      }
      for (const job of claimed) this.params.accept(job);
      this.params.dispatch();
    }
  }
}
