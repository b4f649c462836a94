import type { Logger } from 'pino';
import { JobbyError } from '../../errors.js';
import type { ClaimedJob } from '../../store/job-claim.js';
import type { JobbyClient } from '../client.js';
import type { WorkerEventEmitter } from '../events.js';
import type { PayloadValidator } from '../payload-validator.js';
import type { JobbyRegistry } from '../registry.js';
import type { AttemptReports } from './attempt-reports.js';
import type { HeldJob, HeldJobs, JobTypeSlots } from './held-jobs.js';
import { JobAbort, runJob, toStoredError, type AbortCause, type RunOutcome } from './job-runner.js';

/**
 * The dispatcher: starts claimed jobs on free slots, within the global and per-type concurrency
 * limits, runs their handlers (job-runner.ts) and hands each outcome to the recorder.
 *
 * Slots and aborted handlers (issue 16, item 5). An abort (timeout, cancellation, lost lease,
 * shutdown) records the job's outcome at once, but JavaScript cannot stop a handler: one that
 * ignores its AbortSignal goes on running. Its slot is therefore free only when the handler's own
 * promise settles. A handler still running a second after its abort is reported as abandoned
 * (`job:abandoned` event, a warning, the `jobby_worker_abandoned_handlers` gauge) and counts
 * against the concurrency limits until it settles (`job:abandoned-settled`). Before, the slot was
 * freed at the abort: with concurrency 1, two handlers ran at once.
 *
 * The same job never runs twice at once in one process: a job claimed again (a retry after a
 * timeout, a cancel + retry) while an earlier attempt's handler still runs here waits in the local
 * buffer, its lease kept, and starts when that handler settles. Waiting rather than handing it
 * back: a handed-back job keeps its place in the queue, so this worker could claim it again at
 * once, over and over; and a handler that never settles is a bug the abandoned report shows.
 */

export interface DispatcherParams {
  held: HeldJobs;
  concurrency: number;
  registry: JobbyRegistry;
  client: JobbyClient;
  validator: PayloadValidator;
  logger: Logger;
  events: WorkerEventEmitter;
  /** Where handlers' progress and log lines go. */
  reports: AttemptReports;
  /** False before start and after stop: buffered jobs are then not started. */
  isDispatching: () => boolean;
  /** Records an outcome (outcome-recorder.ts). */
  record: (held: HeldJob, outcome: RunOutcome, durationMs: number) => void;
  /** Hands jobs back to the queue (outcome-recorder.ts). */
  handBack: (jobs: HeldJob[]) => Promise<number>;
  /** A slot of `type` is free again (the producer may refill). */
  onSlotFreed: (type: JobTypeSlots) => void;
}

/** How long an aborted handler may take to settle before it is reported as abandoned. */
const abandonedAfterMs = 1_000;

export class Dispatcher {
  private abandoned = 0;
  /** The types in dispatch order, and whose turn it is. */
  private types: JobTypeSlots[] = [];
  private turn = 0;

  constructor(private readonly params: DispatcherParams) {}

  /** Handlers still running after their abort (they ignore their AbortSignal); each keeps its slot. */
  get abandonedCount(): number {
    return this.abandoned;
  }

  /** Takes a claimed job in: buffered until a slot is free, or failed at once if its payload is invalid. */
  accept(job: ClaimedJob): void {
    const { held: ledger, validator } = this.params;
    const type = ledger.types.get(job.typeId);
    const held: HeldJob = { job, type: type!, phase: 'buffered' };
    ledger.hold(held);
    if (!type) {
      // Cannot happen (claims name our types), but a held job must never be dropped.
      void this.params.handBack([held]);
      return;
    }
    // A payload that no longer matches its schema fails this job alone, permanently.
    const invalid = validator.checkInput(type.worker.type, job.input);
    if (invalid) {
      held.phase = 'completing';
      this.params.record(held, { kind: 'failure', error: toStoredError(invalid), retryable: false, timedOut: false }, 0);
      return;
    }
    ledger.buffer(held);
  }

  /**
   * Starts buffered jobs while there are free slots, one job per type in turn (round-robin across
   * calls): a type with a long buffer (a retry storm) does not take every freed slot while another
   * type's jobs wait behind it (issue 19, fairness between types).
   */
  dispatch(): void {
    const ledger = this.params.held;
    if (this.types.length !== ledger.types.size) this.types = [...ledger.types.values()];
    const types = this.types;
    let started = true;
    while (started) {
      started = false;
      for (let visited = 0; visited < types.length; visited++) {
        if (ledger.runningTotal >= this.params.concurrency) return;
        const type = types[this.turn % types.length]!;
        this.turn = (this.turn + 1) % types.length;
        if (this.startNext(type)) started = true;
      }
    }
  }

  /** Takes the next startable job out of a type's buffer and runs it (while dispatching); false if none. */
  private startNext(type: JobTypeSlots): boolean {
    const ledger = this.params.held;
    if (type.running >= type.worker.options.concurrency) return false;
    let index = 0;
    // An earlier attempt of this job still runs here (its handler ignored an abort): this one
    // waits in the buffer until that handler settles (see the header).
    while (index < type.buffer.length && ledger.handlersRunning.has(type.buffer[index]!.job.id)) index++;
    if (index >= type.buffer.length) return false;
    const held = type.buffer[index]!;
    if (index === 0) type.buffer.shift();
    else type.buffer.splice(index, 1);
    ledger.bufferedTotal--;
    if (this.params.isDispatching()) this.run(held);
    return true;
  }

  /** Aborts a running handler; its outcome is recorded at once, its slot freed when it settles. */
  abort(held: HeldJob, cause: AbortCause): void {
    if (held.phase !== 'running' || held.controller?.aborted) return;
    held.abortCause = cause;
    held.controller!.abort(new JobbyError(cause === 'timeout' ? 'JOB_TIMEOUT' : cause === 'cancelled' ? 'JOB_CANCELLED' : 'LEASE_EXPIRED', `job ${held.job.id}: ${cause}`), cause);
  }

  private run(held: HeldJob): void {
    const { job, type } = held;
    const { held: ledger, events } = this.params;
    const worker = type.worker;
    held.phase = 'running';
    held.controller = new JobAbort();
    held.startedAt = performance.now();
    type.running++;
    ledger.runningTotal++;
    ledger.handlersRunning.set(job.id, held);
    if (worker.options.timeoutMs !== undefined) {
      held.timeout = setTimeout(() => this.abort(held, 'timeout'), worker.options.timeoutMs);
    }
    if (events.listenerCount('job:start') > 0) events.emit('job:start', { id: job.id, type: worker.type.fullName, key: job.key, attempt: job.attempt });
    held.settled = runJob({
      job,
      worker,
      registry: this.params.registry,
      client: this.params.client,
      validator: this.params.validator,
      logger: this.params.logger,
      abort: held.controller,
      reports: this.params.reports,
    }).then((outcome) => {
      if (held.timeout) clearTimeout(held.timeout);
      held.phase = 'completing';
      this.params.record(held, outcome, performance.now() - held.startedAt!);
      // An aborted job's outcome did not wait for its handler; its slot does (see the header).
      const handlerSettled = held.controller!.aborted ? held.controller!.handlerSettled : undefined;
      if (handlerSettled) void this.freeWhenSettled(held, handlerSettled);
      else this.free(held);
    });
  }

  /** The handler has settled: its slot is free. */
  private free(held: HeldJob): void {
    const { type } = held;
    const ledger = this.params.held;
    type.running--;
    ledger.runningTotal--;
    if (ledger.handlersRunning.get(held.job.id) === held) ledger.handlersRunning.delete(held.job.id);
    this.dispatch();
    this.params.onSlotFreed(type);
  }

  /**
   * Frees an aborted job's slot once its handler settles. A well-behaved handler rejects right
   * after its signal fires; one still running a second later ignores it and is reported as
   * abandoned until it settles.
   */
  private async freeWhenSettled(held: HeldJob, handlerSettled: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      handlerSettled.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), abandonedAfterMs))),
    ]);
    clearTimeout(timer);
    if (!inTime) {
      const { job, type } = held;
      const { logger, events } = this.params;
      const event = { id: job.id, type: type.worker.type.fullName, key: job.key, attempt: job.attempt, cause: held.abortCause ?? 'shutdown' };
      this.abandoned++;
      logger.warn(event, 'handler ignores its abort signal: its slot stays taken until it settles');
      events.emit('job:abandoned', event);
      await handlerSettled;
      this.abandoned--;
      const runMs = Math.round(performance.now() - held.startedAt!);
      logger.info({ ...event, runMs }, 'abandoned handler settled; its slot is free');
      events.emit('job:abandoned-settled', { ...event, runMs });
    }
    this.free(held);
  }
}
