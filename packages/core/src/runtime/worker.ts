import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { JobCreationMode, WorkerCreationMode } from '../contract/creation-mode.js';
import type { JobTypeKey } from '../contract/job-type-map.js';
import { JobbyError } from '../errors.js';
import type { JobbyDatabase } from '../store/database.js';
import type { ClaimedJob } from '../store/job-claim.js';
import type { HeldJob } from '../store/job-lease.js';
import { createJobbyClient, syncJobTypes, type JobbyClient } from './client.js';
import { Completer, type CompleterOutcome } from './completer.js';
import { WorkerEventEmitter } from './events.js';
import { JobAbort, runJob, toStoredError, type AbortCause, type RunOutcome } from './job-runner.js';
import { createLogger } from './logger.js';
import { loadModules, type LoadedModules, type RegisteredWorker } from './module-loader.js';
import { NotificationListener } from './notification-listener.js';
import { createPayloadValidator, type PayloadValidator } from './payload-validator.js';
import type { JobbyRegistry } from './registry.js';
import { isTransientDatabaseError } from './transient-error.js';

/**
 * The worker: loads the registry's modules, then runs their handlers.
 *
 * Pieces and their contract:
 * - the producer (fetch loop) claims jobs in batches sized to its free room — running slots plus
 *   an optional prefetch buffer — woken by NOTIFY, by a freed slot after a full batch, and by a
 *   per-type poll with jitter (the fallback when notifications are lost);
 * - runners execute handlers within the global and per-type concurrency limits;
 * - the completer (completer.ts) writes outcomes in batches;
 * - the lease keeper extends the leases of every held job and aborts handlers whose lease is gone
 *   (rescued or cancelled); the sweeper rescues other workers' expired leases.
 * Invariant: every claimed job ends completed, failed, or handed back — a held job leaves `held`
 * only once its outcome is in the database (or the database says the lease is gone).
 *
 * Slots and aborted handlers (issue 16, item 5). An abort (timeout, cancellation, lost lease,
 * shutdown) records the job's outcome at once, but JavaScript cannot stop a handler: one that
 * ignores its AbortSignal goes on running. Its slot is therefore free only when the handler's own
 * promise settles. A handler still running a second after its abort is reported as abandoned
 * (`job:abandoned` event, a warning, the `jobby_worker_abandoned_handlers` gauge) and counts
 * against the concurrency limits until it settles (`job:abandoned-settled`). Before, the slot was
 * freed at the abort: with concurrency 1, two handlers ran at once.
 * The same job never runs twice at once in one process: a job claimed again (a retry after a
 * timeout, a cancel + retry) while an earlier attempt's handler still runs here waits in the local
 * buffer, its lease kept, and starts when that handler settles. Waiting rather than handing it
 * back: a handed-back job keeps its place in the queue, so this worker could claim it again at
 * once, over and over; and a handler that never settles is a bug the abandoned report shows.
 */

export interface WorkerOptions {
  database: JobbyDatabase;
  registry: JobbyRegistry;
  workersMode?: WorkerCreationMode;
  jobsMode?: JobCreationMode;
  /** Handlers running at once in this process. Default 10. */
  concurrency?: number;
  /** Extra jobs claimed ahead of free slots (a local queue). Default 0. */
  prefetch?: number;
  /** Only these plugins. Default: all. */
  plugins?: readonly string[];
  /** Lease length; a dead worker's jobs run again after lease + sweep interval. Default 30 s. */
  leaseSeconds?: number;
  /** How often to rescue expired leases. Default 5 s. */
  sweepIntervalMs?: number;
  /**
   * Pooled connections on which start() runs the claim, completion and enqueue functions once, so
   * that the first jobs do not pay for their compilation (see store/connection-warm-up.ts). Default
   * 4 (a worker mostly uses a claim, a completion and a lease connection), at most the pool's size;
   * 1 on the embedded database (one session underneath); 0 turns it off.
   */
  warmUpConnections?: number;
  /**
   * How the notification connection is checked (store notifications wake workers and cancel
   * jobs): a round trip every `intervalMs` that must answer within `timeoutMs`, else the connection
   * is replaced, so that one a network silently dropped is noticed in seconds (see
   * notification-listener.ts). Default 3,000 and 2,000 ms.
   */
  notificationHealthCheck?: { intervalMs?: number; timeoutMs?: number };
  /** How often to prune expired finished jobs. Default 60 s. */
  pruneIntervalMs?: number;
  /** Default poll interval of workers that set none. Default 2000 ms. */
  pollIntervalMs?: number;
  /** Running jobs get this long to finish on stop before being aborted and handed back. Default 10 s. */
  shutdownGraceMs?: number;
  logger?: Logger;
  workerId?: string;
  /** Per-plugin configuration sections, passed to each module's initializer. */
  pluginConfig?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Where plugins keep local files. Default `.jobby/plugins`. */
  dataDirectory?: string;
  maxPayloadBytes?: number;
}

interface TypeState {
  worker: RegisteredWorker;
  buffer: Held[];
  running: number;
  nextPollAt: number;
  /** Fetch at the next opportunity (a notification came, or the last claim was full). */
  forced: boolean;
  lastClaimFull: boolean;
}

interface Held {
  job: ClaimedJob;
  type: TypeState;
  phase: 'buffered' | 'running' | 'completing';
  controller?: JobAbort;
  abortCause?: AbortCause;
  startedAt?: number;
  timeout?: NodeJS.Timeout;
  /** The outcome was recorded (or handed to the completer); the handler may still run (see above). */
  settled?: Promise<void>;
  durationMs?: number;
}

export interface Worker {
  readonly id: string;
  readonly events: WorkerEventEmitter;
  readonly client: JobbyClient;
  /** Registered workers (after start). */
  readonly workers: readonly RegisteredWorker[];
  /** Jobs held right now (buffered, running or being completed). */
  readonly heldCount: number;
  /** Handlers still running after their abort (they ignore their AbortSignal); each keeps its slot. */
  readonly abandonedCount: number;
  start(): Promise<void>;
  /** Graceful stop: finish or hand back every held job. Resolves when done. */
  stop(options?: { graceMs?: number }): Promise<{ handedBack: number }>;
}

export function createWorker(options: WorkerOptions): Worker {
  return new WorkerImpl(options);
}

const sleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/** How long an aborted handler may take to settle before it is reported as abandoned. */
const abandonedAfterMs = 1_000;

class WorkerImpl implements Worker {
  readonly id: string;
  readonly events = new WorkerEventEmitter();
  readonly client: JobbyClient;
  private readonly logger: Logger;
  private readonly validator: PayloadValidator;
  private readonly completer: Completer;
  private readonly concurrency: number;
  private readonly prefetch: number;
  private readonly leaseSeconds: number;
  private readonly held = new Map<string, Held>();
  private readonly types = new Map<number, TypeState>();
  private loaded: LoadedModules | undefined;
  private runningTotal = 0;
  /** Jobs whose handler has not settled, by id: a job in here does not start again (see above). */
  private readonly handlersRunning = new Map<string, Held>();
  private abandoned = 0;
  private bufferedTotal = 0;
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  private wakeProducer: (() => void) | undefined;
  private producerDone: Promise<void> | undefined;
  private listener: NotificationListener | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private idleWaiters: (() => void)[] = [];
  /** Extends leases (and aborts handlers whose lease is gone) now rather than at the next tick. */
  private checkLeasesNow: (() => void) | undefined;

  constructor(private readonly options: WorkerOptions) {
    this.id = options.workerId ?? `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.logger = (options.logger ?? createLogger()).child({ worker: this.id });
    this.validator = createPayloadValidator({ maxPayloadBytes: options.maxPayloadBytes });
    this.client = createJobbyClient({ database: options.database, registry: options.registry, validator: this.validator });
    this.concurrency = options.concurrency ?? 10;
    this.prefetch = options.prefetch ?? 0;
    this.leaseSeconds = options.leaseSeconds ?? 30;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new JobbyError('CONFIGURATION_INVALID', `concurrency must be a positive integer, got ${this.concurrency}`);
    if (!Number.isInteger(this.prefetch) || this.prefetch < 0) throw new JobbyError('CONFIGURATION_INVALID', `prefetch must be a non-negative integer, got ${this.prefetch}`);
    if (!(this.leaseSeconds >= 2)) throw new JobbyError('CONFIGURATION_INVALID', `leaseSeconds must be at least 2, got ${this.leaseSeconds}`);
    this.completer = new Completer({
      store: this.client.store,
      logger: this.logger,
      onError: (error) => this.reportError(error, 'recording outcomes'),
    });
  }

  /** An optimization only: a failure is logged and the first jobs pay the compilation instead. */
  private async warmUp(): Promise<void> {
    const { database } = this.options;
    const poolSize = database.kind === 'embedded' ? 1 : (database.pool.options.max ?? 10);
    const connections = Math.min(this.options.warmUpConnections ?? 4, poolSize);
    if (connections <= 0) return;
    const started = performance.now();
    try {
      await this.client.store.connectionWarmUp({ connections, typeIds: [...this.types.keys()], workerId: this.id });
      this.logger.debug({ connections, ms: Math.round(performance.now() - started) }, 'pooled connections warmed up');
    } catch (error) {
      this.logger.warn({ err: error }, 'warming up pooled connections failed; the first jobs will be slower');
    }
  }

  get workers(): readonly RegisteredWorker[] {
    return this.loaded?.workers ?? [];
  }

  get heldCount(): number {
    return this.held.size;
  }

  get abandonedCount(): number {
    return this.abandoned;
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new JobbyError('INVALID_ARGUMENT', `worker ${this.id} was already started`);
    this.state = 'starting';
    const { registry, database } = this.options;
    // Wait for the database (it may be starting too); refuse on configuration errors only.
    await this.untilDatabase('registering job types', () => syncJobTypes(this.client.store, registry));
    this.loaded = await loadModules({
      registry,
      db: database.db,
      logger: this.logger,
      workersMode: this.options.workersMode ?? 'production',
      jobsMode: this.options.jobsMode ?? 'production',
      plugins: this.options.plugins,
      config: this.options.pluginConfig,
      dataDirectory: path.resolve(this.options.dataDirectory ?? '.jobby/plugins'),
      defaults: {
        concurrency: this.concurrency,
        pollIntervalMs: this.options.pollIntervalMs ?? 2_000,
        pollJitter: 0.25,
        backoffBaseMs: 1_000,
        backoffMaxMs: 3_600_000,
      },
    });
    for (const worker of this.loaded.workers) {
      this.types.set(worker.type.id, { worker, buffer: [], running: 0, nextPollAt: 0, forced: true, lastClaimFull: false });
      // Compiled now rather than at the first claim, where it delayed the first jobs by ~20 ms.
      this.validator.prepare(worker.type);
    }
    const startupJobs = this.loaded.startupJobs;
    if (startupJobs.length > 0) {
      const results = await this.untilDatabase('submitting startup jobs', () =>
        this.client.submitMany(
          startupJobs.map((job) => ({
            type: job.type.fullName as JobTypeKey,
            key: job.key,
            input: job.input,
            options: { maxAttempts: job.maxAttempts, priority: job.priority, runAt: job.runAt, dependsOn: job.dependsOn as { type: JobTypeKey; key: string }[] },
          })),
        ),
      );
      const created = results.filter((result) => result.created).length;
      this.logger.info({ created, existing: results.length - created }, 'startup jobs submitted');
    }
    await this.untilDatabase('registering the worker', () =>
      this.client.store.workerRegister({
        id: this.id,
        hostname: os.hostname(),
        pid: process.pid,
        jobTypeIds: [...this.types.keys()],
        concurrency: this.concurrency,
        metadata: { workers: this.loaded!.workers.map((worker) => ({ name: worker.name, type: worker.type.fullName, ...worker.options })) },
      }),
    );
    if (this.types.size > 0) await this.warmUp();
    this.state = 'running';
    if (this.types.size > 0) {
      this.listener = new NotificationListener({
        connectionString: () => database.connectionString,
        channels: [this.client.store.jobsChannel, this.client.store.cancelChannel],
        onNotification: (channel, payload) => (channel === this.client.store.cancelChannel ? this.onCancelled(payload) : this.wakeAll()),
        // After a (re)connection: claim now, and check the leases now, so that a notification
        // missed while the connection was down (new jobs, a cancellation) waits for nothing.
        onConnected: () => {
          this.wakeAll();
          this.checkLeasesNow?.();
        },
        onError: (error) => this.reportError(error, 'listening for notifications'),
        healthCheckIntervalMs: this.options.notificationHealthCheck?.intervalMs,
        healthCheckTimeoutMs: this.options.notificationHealthCheck?.timeoutMs,
      });
      this.listener.start();
      this.producerDone = this.produce();
    }
    this.checkLeasesNow = this.every(Math.max(500, (this.leaseSeconds * 1000) / 3), () => this.keepLeases());
    this.every(this.options.sweepIntervalMs ?? 5_000, () => this.sweep());
    this.every(this.options.pruneIntervalMs ?? 60_000, () => this.prune());
    this.logger.info({ jobTypes: [...this.types.values()].map((type) => type.worker.type.fullName), concurrency: this.concurrency }, 'worker ready');
    this.events.emit('worker:ready', { workerId: this.id, jobTypes: [...this.types.values()].map((type) => type.worker.type.fullName) });
  }

  async stop(options: { graceMs?: number } = {}): Promise<{ handedBack: number }> {
    if (this.state === 'stopped' || this.state === 'stopping') return { handedBack: 0 };
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
    this.events.emit('worker:stopping', { workerId: this.id });
    this.wakeProducer?.();
    await this.producerDone;
    for (const timer of this.timers) clearInterval(timer);
    let handedBack = 0;
    // Jobs that never started go back at once.
    const buffered = [...this.held.values()].filter((held) => held.phase === 'buffered');
    handedBack += await this.handBack(buffered);
    // Running jobs get the grace period, then are aborted and handed back.
    const graceMs = options.graceMs ?? this.options.shutdownGraceMs ?? 10_000;
    const running = () => [...this.held.values()].filter((held) => held.phase === 'running');
    if (running().length > 0) {
      this.logger.info({ running: running().length, graceMs }, 'waiting for running jobs');
      await Promise.race([Promise.all(running().map((held) => held.settled)), sleep(graceMs)]);
    }
    const late = running();
    for (const held of late) this.abort(held, 'shutdown');
    // Their outcomes (handed back below), not their handlers: one that ignores the abort may never end.
    await Promise.all(late.map((held) => held.settled));
    await this.completer.idle();
    handedBack += await this.handBack([...this.held.values()].filter((held) => held.phase !== 'completing'));
    await this.listener?.stop();
    for (const { plugin, module } of this.loaded?.modules ?? []) {
      try {
        await module.close?.();
      } catch (error) {
        this.logger.warn({ err: error, plugin: plugin.name }, 'module close failed');
      }
    }
    if (wasRunning) await this.client.store.workerStop(this.id).catch((error: unknown) => this.reportError(error, 'recording the stop'));
    this.state = 'stopped';
    if (this.handlersRunning.size > 0) {
      this.logger.warn({ handlers: this.handlersRunning.size }, 'handlers still running after stop (they ignore their abort signal); their outcomes are recorded or their jobs handed back');
    }
    this.logger.info({ handedBack }, 'worker stopped');
    this.events.emit('worker:stopped', { workerId: this.id, handedBack });
    return { handedBack };
  }

  // ---- producer ----------------------------------------------------------------------------

  private wakeAll(): void {
    for (const type of this.types.values()) type.forced = true;
    this.wakeProducer?.();
  }

  private room(type: TypeState): number {
    const globalRoom = this.concurrency + this.prefetch - this.runningTotal - this.bufferedTotal;
    const typeRoom = type.worker.options.concurrency + this.prefetch - type.running - type.buffer.length;
    return Math.max(0, Math.min(globalRoom, typeRoom));
  }

  /**
   * The least room worth a claim. A type with jobs still buffered refills once half its room is
   * free, not at every finished job: with a prefetch of 500, claims of ~250 jobs instead of a claim
   * per few jobs (each claim has a fixed cost: planning, a commit, a round trip). A type with
   * nothing buffered claims as soon as one slot is free (no added latency).
   */
  private claimThreshold(type: TypeState): number {
    if (type.buffer.length === 0) return 1;
    return Math.max(1, Math.floor((Math.min(this.concurrency, type.worker.options.concurrency) + this.prefetch) / 2));
  }

  private async produce(): Promise<void> {
    let failures = 0;
    while (this.state === 'running') {
      const now = Date.now();
      // Back-pressure: while outcomes cannot be written, do not claim more.
      const backlogged = this.completer.backlog > (this.concurrency + this.prefetch) * 4;
      const eligible = backlogged ? [] : [...this.types.values()].filter((type) => this.room(type) >= this.claimThreshold(type));
      const due = eligible.filter((type) => type.forced || type.nextPollAt <= now);
      if (due.length === 0) {
        // Types without enough room are woken by their jobs finishing, not by the clock (waiting
        // for their poll time spun this loop every millisecond while all slots were busy).
        const next = eligible.length > 0 ? Math.min(...eligible.map((type) => type.nextPollAt)) : now + 1_000;
        await this.waitForWake(backlogged ? 50 : Math.max(1, Math.min(next - now, 60_000)));
        continue;
      }
      try {
        await this.claim(due);
        failures = 0;
      } catch (error) {
        failures++;
        this.reportError(error, 'claiming jobs');
        await this.waitForWake(Math.min(10_000, 100 * 2 ** Math.min(failures, 7)));
      }
    }
  }

  private waitForWake(milliseconds: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, milliseconds);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.wakeProducer === done) self.wakeProducer = undefined;
        resolve();
      }
      this.wakeProducer = done;
    });
  }

  private async claim(due: TypeState[]): Promise<void> {
    const globalRoom = this.concurrency + this.prefetch - this.runningTotal - this.bufferedTotal;
    const groups: { types: TypeState[]; limit: number }[] = [];
    const limit = Math.min(globalRoom, due.reduce((sum, type) => sum + this.room(type), 0));
    if (due.every((type) => this.room(type) >= limit)) groups.push({ types: due, limit });
    else for (const type of due) groups.push({ types: [type], limit: this.room(type) });
    for (const group of groups) {
      const groupLimit = Math.min(group.limit, this.concurrency + this.prefetch - this.runningTotal - this.bufferedTotal);
      const now = Date.now();
      for (const type of group.types) {
        type.forced = false;
        const { pollIntervalMs, pollJitter } = type.worker.options;
        type.nextPollAt = now + pollIntervalMs * (1 + pollJitter * Math.random());
      }
      if (groupLimit <= 0) continue;
      const claimed = await this.client.store.jobClaim({
        workerId: this.id,
        typeIds: group.types.map((type) => type.worker.type.id),
        limit: groupLimit,
        leaseSeconds: this.leaseSeconds,
      });
      const full = claimed.length >= groupLimit;
      for (const type of group.types) {
        type.lastClaimFull = full;
        if (full) type.forced = true;
      }
      for (const job of claimed) this.accept(job);
      this.dispatch();
    }
  }

  private accept(job: ClaimedJob): void {
    const type = this.types.get(job.typeId);
    const held: Held = { job, type: type!, phase: 'buffered' };
    if (!type) {
      // Cannot happen (claims name our types), but a held job must never be dropped.
      this.held.set(job.id, held);
      void this.handBack([held]);
      return;
    }
    this.held.set(job.id, held);
    // A payload that no longer matches its schema fails this job alone, permanently.
    const invalid = this.validator.checkInput(type.worker.type, job.input);
    if (invalid) {
      held.phase = 'completing';
      this.record(held, { kind: 'failure', error: toStoredError(invalid), retryable: false, timedOut: false }, 0);
      return;
    }
    type.buffer.push(held);
    this.bufferedTotal++;
  }

  private dispatch(): void {
    for (const type of this.types.values()) {
      let index = 0;
      while (index < type.buffer.length && this.runningTotal < this.concurrency && type.running < type.worker.options.concurrency) {
        const held = type.buffer[index]!;
        // An earlier attempt of this job still runs here (its handler ignored an abort): this one
        // waits in the buffer until that handler settles (see the header).
        if (this.handlersRunning.has(held.job.id)) {
          index++;
          continue;
        }
        if (index === 0) type.buffer.shift();
        else type.buffer.splice(index, 1);
        this.bufferedTotal--;
        if (this.state !== 'running' && this.state !== 'stopping') continue;
        this.run(held);
      }
    }
  }

  // ---- runners -----------------------------------------------------------------------------

  private run(held: Held): void {
    const { job, type } = held;
    const worker = type.worker;
    held.phase = 'running';
    held.controller = new JobAbort();
    held.startedAt = performance.now();
    type.running++;
    this.runningTotal++;
    this.handlersRunning.set(job.id, held);
    if (worker.options.timeoutMs !== undefined) {
      held.timeout = setTimeout(() => this.abort(held, 'timeout'), worker.options.timeoutMs);
    }
    if (this.events.listenerCount('job:start') > 0) this.events.emit('job:start', { id: job.id, type: worker.type.fullName, key: job.key, attempt: job.attempt });
    held.settled = runJob({
      job,
      worker,
      registry: this.options.registry,
      client: this.client,
      validator: this.validator,
      logger: this.logger,
      abort: held.controller,
    }).then((outcome) => {
      if (held.timeout) clearTimeout(held.timeout);
      held.phase = 'completing';
      this.record(held, outcome, performance.now() - held.startedAt!);
      // An aborted job's outcome did not wait for its handler; its slot does (see the header).
      const handlerSettled = held.controller!.aborted ? held.controller!.handlerSettled : undefined;
      if (handlerSettled) void this.freeWhenSettled(held, handlerSettled);
      else this.free(held);
    });
  }

  /** The handler has settled: its slot is free. */
  private free(held: Held): void {
    const { type } = held;
    type.running--;
    this.runningTotal--;
    if (this.handlersRunning.get(held.job.id) === held) this.handlersRunning.delete(held.job.id);
    this.dispatch();
    if (type.buffer.length === 0 && type.lastClaimFull) {
      type.forced = true;
      this.wakeProducer?.();
    } else if (this.room(type) > 0) this.wakeProducer?.();
  }

  /**
   * Frees an aborted job's slot once its handler settles. A well-behaved handler rejects right
   * after its signal fires; one still running a second later ignores it and is reported as
   * abandoned until it settles.
   */
  private async freeWhenSettled(held: Held, handlerSettled: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      handlerSettled.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), abandonedAfterMs))),
    ]);
    clearTimeout(timer);
    if (!inTime) {
      const { job, type } = held;
      const event = { id: job.id, type: type.worker.type.fullName, key: job.key, attempt: job.attempt, cause: held.abortCause ?? 'shutdown' };
      this.abandoned++;
      this.logger.warn(event, 'handler ignores its abort signal: its slot stays taken until it settles');
      this.events.emit('job:abandoned', event);
      await handlerSettled;
      this.abandoned--;
      const runMs = Math.round(performance.now() - held.startedAt!);
      this.logger.info({ ...event, runMs }, 'abandoned handler settled; its slot is free');
      this.events.emit('job:abandoned-settled', { ...event, runMs });
    }
    this.free(held);
  }

  private abort(held: Held, cause: AbortCause): void {
    if (held.phase !== 'running' || held.controller?.aborted) return;
    held.abortCause = cause;
    held.controller!.abort(new JobbyError(cause === 'timeout' ? 'JOB_TIMEOUT' : cause === 'cancelled' ? 'JOB_CANCELLED' : 'LEASE_EXPIRED', `job ${held.job.id}: ${cause}`), cause);
  }

  private record(held: Held, outcome: RunOutcome, durationMs: number): void {
    const { job, type } = held;
    const worker = type.worker;
    if (outcome.kind === 'success') {
      // The hot path (one call per job): shared callbacks, the job's state travels as `context`.
      held.durationMs = durationMs;
      this.completer.push({
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
    const release = () => this.release(held);
    if (outcome.kind === 'abandoned') {
      if (outcome.cause === 'shutdown') {
        // Handed back by stop(); keep it held until then.
        held.phase = 'buffered';
        return;
      }
      this.logger.info({ ...base, cause: outcome.cause }, 'job abandoned: the database moved on (cancelled or lease lost)');
      this.events.emit('job:stale', { id: job.id, type: worker.type.fullName, key: job.key });
      release();
      return;
    }
    this.completer.push({
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
        if (status === 'stale') this.events.emit('job:stale', { id: job.id, type: worker.type.fullName, key: job.key });
        else {
          this.logger.warn({ ...base, error: outcome.error, willRetry: status === 'retried' }, 'job failed');
          this.events.emit('job:failure', { ...base, durationMs, error: outcome.error, willRetry: status === 'retried' });
        }
        release();
      },
      rejected: (error) => {
        this.reportError(error, 'recording a failure');
        release();
      },
    });
  }

  private readonly successWritten: CompleterOutcome['done'] = ({ status }, outcome) => {
    const held = outcome.context as Held;
    const { job, type } = held;
    if (status === 'stale') this.events.emit('job:stale', { id: job.id, type: type.worker.type.fullName, key: job.key });
    else if (this.events.listenerCount('job:success') > 0) {
      this.events.emit('job:success', { id: job.id, type: type.worker.type.fullName, key: job.key, attempt: job.attempt, durationMs: held.durationMs ?? 0 });
    }
    this.release(held);
  };

  private readonly successRejected: CompleterOutcome['rejected'] = (error, outcome) => {
    const held = outcome.context as Held;
    this.record(held, { kind: 'failure', error: toStoredError(error), retryable: true, timedOut: false }, held.durationMs ?? 0);
  };

  private release(held: Held): void {
    if (this.held.get(held.job.id) === held) this.held.delete(held.job.id);
    if (this.held.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private async handBack(jobs: Held[]): Promise<number> {
    if (jobs.length === 0) return 0;
    for (const held of jobs) {
      const index = held.type?.buffer.indexOf(held) ?? -1;
      if (index >= 0) {
        held.type.buffer.splice(index, 1);
        this.bufferedTotal--;
      }
    }
    const params: HeldJob[] = jobs.map((held) => ({ id: held.job.id, attemptToken: held.job.attemptToken }));
    const handed = await this.untilDatabase('handing jobs back', () => this.client.store.jobHandBack(params), 30_000).catch((error: unknown) => {
      // The leases will expire and the sweep will hand them back: nothing is lost.
      this.reportError(error, 'handing jobs back');
      return [] as string[];
    });
    for (const held of jobs) this.release(held);
    return handed.length;
  }

  // ---- leases, cancellation, maintenance -----------------------------------------------------

  private async keepLeases(): Promise<void> {
    const jobs = [...this.held.values()];
    await this.client.store.workerHeartbeat(this.id);
    if (jobs.length === 0) return;
    const kept = new Set(await this.client.store.jobLeaseExtend({ jobs: jobs.map((held) => ({ id: held.job.id, attemptToken: held.job.attemptToken })), leaseSeconds: this.leaseSeconds }));
    for (const held of jobs) {
      if (kept.has(held.job.id) || this.held.get(held.job.id) !== held) continue;
      if (held.phase === 'running') this.abort(held, 'lease-lost');
      else if (held.phase === 'buffered') {
        const index = held.type.buffer.indexOf(held);
        if (index >= 0) {
          held.type.buffer.splice(index, 1);
          this.bufferedTotal--;
        }
        this.release(held);
      }
    }
  }

  private onCancelled(id: string | undefined): void {
    const held = id ? this.held.get(id) : undefined;
    if (!held) return;
    if (held.phase === 'running') this.abort(held, 'cancelled');
  }

  private async sweep(): Promise<void> {
    const result = await this.client.store.jobLeaseRescueExpired();
    if (result.requeued.length + result.failed.length > 0) {
      this.logger.warn({ requeued: result.requeued.length, failed: result.failed.length }, 'rescued jobs whose lease expired');
    }
  }

  private async prune(): Promise<void> {
    const pruned = await this.client.store.jobPruneExpired();
    if (pruned > 0) this.logger.info({ pruned }, 'pruned expired jobs');
  }

  /** Runs `task` every `milliseconds`, never twice at once; returns a function that runs it now. */
  private every(milliseconds: number, task: () => Promise<void>): () => void {
    let busy = false;
    const run = () => {
      if (busy || this.state !== 'running') return;
      busy = true;
      task()
        .catch((error: unknown) => this.reportError(error, task.name || 'maintenance'))
        .finally(() => {
          busy = false;
        });
    };
    const timer = setInterval(run, milliseconds);
    timer.unref();
    this.timers.push(timer);
    return run;
  }

  private reportError(error: unknown, during: string): void {
    if (isTransientDatabaseError(error)) this.logger.warn({ err: error, during }, 'database unavailable; retrying');
    else this.logger.error({ err: error, during }, 'worker error');
    this.events.emit('worker:error', { workerId: this.id, error, during });
  }

  /** Runs `task`, waiting out transient database errors with backoff; rethrows real errors. */
  private async untilDatabase<T>(during: string, task: () => Promise<T>, maxWaitMs = Number.POSITIVE_INFINITY): Promise<T> {
    const started = Date.now();
    for (let failures = 0; ; failures++) {
      try {
        return await task();
      } catch (error) {
        if (!isTransientDatabaseError(error) || Date.now() - started > maxWaitMs || this.state === 'stopped') throw error;
        this.reportError(error, during);
        await sleep(Math.min(5_000, 100 * 2 ** Math.min(failures, 6)));
      }
    }
  }
}
