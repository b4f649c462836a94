import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { JobTypeKey } from '../../contract/job-type-map.js';
import { JobbyError } from '../../errors.js';
import { defaultBackoffBaseMs, defaultBackoffMaxMs } from '../../store/job-fail.js';
import type { JobStore } from '../../store/job-store.js';
import { createJobbyClient, jobStoreOf, syncJobTypes, type JobbyClient } from '../client.js';
import { WorkerEventEmitter } from '../events.js';
import { createLogger } from '../logger.js';
import { loadModules, type LoadedModules, type RegisteredWorker } from '../module-loader.js';
import { NotificationListener } from '../notification-listener.js';
import { createPayloadValidator, type PayloadValidator } from '../payload-validator.js';
import { isTransientDatabaseError } from '../transient-error.js';
import { AttemptReports } from './attempt-reports.js';
import { Completer } from './completer.js';
import { warmUpConnections } from './connection-warm-up.js';
import { Dispatcher } from './dispatcher.js';
import { HeldJobs } from './held-jobs.js';
import { LeaseKeeper } from './lease-keeper.js';
import { PeriodicTasks, pruneExpiredJobs, sweepExpiredLeases } from './maintenance.js';
import { OutcomeRecorder } from './outcome-recorder.js';
import { Producer } from './producer.js';
import { Scheduler, scheduleTickMs } from './scheduler.js';
import { sleep, untilDatabase } from './until-database.js';
import { resolveWorkerOptions, type ResolvedWorkerTunables, type WorkerOptions } from './worker-options.js';

/**
 * The worker: loads the registry's modules, then runs their handlers. It wires together parts
 * that each own one concern, in this folder:
 * - held-jobs.ts: the ledger of the jobs this worker holds, and the counts the others share;
 * - producer.ts: the fetch loop, claiming in batches sized to the free room;
 * - dispatcher.ts: slots and concurrency limits, running handlers (job-runner.ts), aborted and
 *   abandoned handlers;
 * - outcome-recorder.ts and completer.ts: outcomes written in batches, jobs handed back;
 * - lease-keeper.ts: heartbeats, lease extension, aborts of jobs whose lease is gone;
 * - maintenance.ts: the sweep of expired leases and the prune of expired jobs;
 * - scheduler.ts: the schedules the modules declared, a job per slot.
 *
 * Invariant: every claimed job ends completed, failed, or handed back — a held job leaves the
 * ledger only once its outcome is in the database (or the database says the lease is gone).
 * Nothing escapes the loop: errors are reported (`worker:error`) and retried.
 */

export type { WorkerOptions } from './worker-options.js';

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

/**
 * Creates a worker for the registry's plugins; `start()` registers it and runs jobs until `stop()`.
 *
 * @example
 * ```ts
 * const worker = createWorker({ database, registry, concurrency: 20 });
 * await worker.start();
 * // … on shutdown: running jobs get the grace period, the rest go back to the queue
 * await worker.stop({ graceMs: 10_000 });
 * ```
 */
export function createWorker(options: WorkerOptions): Worker {
  return new WorkerImpl(options);
}

class WorkerImpl implements Worker {
  readonly id: string;
  readonly events = new WorkerEventEmitter();
  readonly client: JobbyClient;
  private readonly store: JobStore;
  private readonly logger: Logger;
  private readonly validator: PayloadValidator;
  private readonly options: WorkerOptions & ResolvedWorkerTunables;
  private readonly held = new HeldJobs();
  private readonly completer: Completer;
  private readonly recorder: OutcomeRecorder;
  private readonly dispatcher: Dispatcher;
  private readonly producer: Producer;
  private readonly leaseKeeper: LeaseKeeper;
  private readonly periodic: PeriodicTasks;
  private loaded: LoadedModules | undefined;
  private scheduler: Scheduler | undefined;
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  private listener: NotificationListener | undefined;
  /** Extends leases (and aborts handlers whose lease is gone) now rather than at the next tick. */
  private checkLeasesNow: (() => void) | undefined;

  constructor(options: WorkerOptions) {
    this.options = resolveWorkerOptions(options);
    this.id = options.workerId ?? `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.logger = (options.logger ?? createLogger()).child({ worker: this.id });
    this.validator = createPayloadValidator({ maxPayloadBytes: options.maxPayloadBytes });
    const { database, registry, concurrency, prefetch, leaseSeconds } = this.options;
    this.client = createJobbyClient({ database, registry, validator: this.validator });
    // The client's own store: one set of store functions per worker (the bench's probes time them).
    this.store = jobStoreOf(this.client);
    const reportError = (error: unknown, during: string) => this.reportError(error, during);
    const isStopped = () => this.state === 'stopped';
    const { store, held, logger, events } = this;
    this.completer = new Completer({ store, logger, onError: (error) => reportError(error, 'recording outcomes') });
    const reports = new AttemptReports({ store, reportError });
    this.recorder = new OutcomeRecorder({ store, held, completer: this.completer, reports, logger, events, reportError, isStopped });
    this.dispatcher = new Dispatcher({
      held,
      concurrency,
      registry,
      client: this.client,
      validator: this.validator,
      logger,
      events,
      reports,
      isDispatching: () => this.state === 'running' || this.state === 'stopping',
      record: (job, outcome, durationMs) => this.recorder.record(job, outcome, durationMs),
      handBack: (jobs) => this.recorder.handBack(jobs),
      onSlotFreed: (type) => this.producer.onSlotFreed(type),
    });
    this.producer = new Producer({
      workerId: this.id,
      store,
      held,
      concurrency,
      prefetch,
      leaseSeconds,
      completerBacklog: () => this.completer.backlog,
      isRunning: () => this.state === 'running',
      accept: (job) => this.dispatcher.accept(job),
      dispatch: () => this.dispatcher.dispatch(),
      reportError,
    });
    this.leaseKeeper = new LeaseKeeper({ workerId: this.id, store, held, leaseSeconds, abort: (job, cause) => this.dispatcher.abort(job, cause) });
    this.periodic = new PeriodicTasks({ isRunning: () => this.state === 'running', reportError });
  }

  get workers(): readonly RegisteredWorker[] {
    return this.loaded?.workers ?? [];
  }

  get heldCount(): number {
    return this.held.size;
  }

  get abandonedCount(): number {
    return this.dispatcher.abandonedCount;
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new JobbyError('INVALID_ARGUMENT', `worker ${this.id} was already started`);
    this.state = 'starting';
    const { registry, database } = this.options;
    const types = this.held.types;
    // Wait for the database (it may be starting too); refuse on configuration errors only.
    await this.untilDatabase('registering job types', () => syncJobTypes(this.store, registry));
    const loaded = await loadModules({
      registry,
      db: database.db,
      logger: this.logger,
      workersMode: this.options.workersMode,
      jobsMode: this.options.jobsMode,
      plugins: this.options.plugins,
      config: this.options.pluginConfig,
      dataDirectory: path.resolve(this.options.dataDirectory),
      defaults: {
        concurrency: this.options.concurrency,
        pollIntervalMs: this.options.pollIntervalMs,
        pollJitter: 0.25,
        backoffBaseMs: defaultBackoffBaseMs,
        backoffMaxMs: defaultBackoffMaxMs,
      },
    });
    this.loaded = loaded;
    for (const worker of loaded.workers) {
      types.set(worker.type.id, { worker, buffer: [], running: 0, nextPollAt: 0, forced: true, lastClaimFull: false });
      // Compiled now rather than at the first claim, where it delayed the first jobs by ~20 ms.
      this.validator.prepare(worker.type);
    }
    await this.submitStartupJobs(loaded);
    await this.declareSchedules(loaded);
    await this.declareLimits(loaded);
    await this.untilDatabase('registering the worker', () =>
      this.store.workerRegister({
        id: this.id,
        hostname: os.hostname(),
        pid: process.pid,
        jobTypeIds: [...types.keys()],
        concurrency: this.options.concurrency,
        metadata: { workers: loaded.workers.map((worker) => ({ name: worker.name, type: worker.type.fullName, ...worker.options })) },
      }),
    );
    if (types.size > 0) {
      await warmUpConnections({ database, store: this.store, logger: this.logger, connections: this.options.warmUpConnections, typeIds: [...types.keys()], workerId: this.id });
    }
    this.state = 'running';
    if (types.size > 0) {
      this.listener = new NotificationListener({
        connectionString: () => database.connectionString,
        channels: [this.store.jobsChannel, this.store.cancelChannel],
        onNotification: (channel, payload) => (channel === this.store.cancelChannel ? this.leaseKeeper.onCancelled(payload) : this.producer.wakeAll()),
        // After a (re)connection: claim now, and check the leases now, so that a notification
        // missed while the connection was down (new jobs, a cancellation) waits for nothing.
        onConnected: () => {
          this.producer.wakeAll();
          this.checkLeasesNow?.();
        },
        onError: (error) => this.reportError(error, 'listening for notifications'),
        healthCheckIntervalMs: this.options.notificationHealthCheck?.intervalMs,
        healthCheckTimeoutMs: this.options.notificationHealthCheck?.timeoutMs,
      });
      this.listener.start();
      this.producer.start();
    }
    this.checkLeasesNow = this.periodic.every(this.leaseKeeper.intervalMs, 'keeping leases', () => this.leaseKeeper.keepLeases());
    this.periodic.every(this.options.sweepIntervalMs, 'sweeping expired leases', () => sweepExpiredLeases(this.store, this.logger));
    this.periodic.every(this.options.pruneIntervalMs, 'pruning expired jobs', () => pruneExpiredJobs(this.store, this.logger));
    const scheduler = this.scheduler;
    if (scheduler && scheduler.size > 0) this.periodic.every(scheduleTickMs, 'firing schedules', () => scheduler.tick())();
    const jobTypes = [...types.values()].map((type) => type.worker.type.fullName);
    this.logger.info({ jobTypes, concurrency: this.options.concurrency }, 'worker ready');
    this.events.emit('worker:ready', { workerId: this.id, jobTypes });
  }

  async stop(options: { graceMs?: number } = {}): Promise<{ handedBack: number }> {
    if (this.state === 'stopped' || this.state === 'stopping') return { handedBack: 0 };
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
    this.events.emit('worker:stopping', { workerId: this.id });
    await this.producer.stop();
    this.periodic.stop();
    let handedBack = 0;
    // Jobs that never started go back at once.
    handedBack += await this.recorder.handBack(this.held.inPhase('buffered'));
    // Running jobs get the grace period, then are aborted and handed back.
    const graceMs = options.graceMs ?? this.options.shutdownGraceMs;
    if (this.held.inPhase('running').length > 0) {
      this.logger.info({ running: this.held.inPhase('running').length, graceMs }, 'waiting for running jobs');
      await Promise.race([Promise.all(this.held.inPhase('running').flatMap((held) => held.settled ?? [])), sleep(graceMs)]);
    }
    const late = this.held.inPhase('running');
    for (const held of late) this.dispatcher.abort(held, 'shutdown');
    // Their outcomes (handed back below), not their handlers: one that ignores the abort may never end.
    await Promise.all(late.flatMap((held) => held.settled ?? []));
    // Outcomes that waited for their attempt's report (progress, log lines) are with the completer after it.
    await this.recorder.reportsWritten();
    await this.completer.idle();
    handedBack += await this.recorder.handBack(this.held.all().filter((held) => held.phase !== 'completing'));
    await this.listener?.stop();
    for (const { plugin, module } of this.loaded?.modules ?? []) {
      try {
        await module.close?.();
      } catch (error) {
        this.logger.warn({ err: error, plugin: plugin.name }, 'module close failed');
      }
    }
    if (wasRunning) await this.store.workerStop(this.id).catch((error: unknown) => this.reportError(error, 'recording the stop'));
    this.state = 'stopped';
    if (this.held.handlersRunning.size > 0) {
      this.logger.warn({ handlers: this.held.handlersRunning.size }, 'handlers still running after stop (they ignore their abort signal); their outcomes are recorded or their jobs handed back');
    }
    this.logger.info({ handedBack }, 'worker stopped');
    this.events.emit('worker:stopped', { workerId: this.id, handedBack });
    return { handedBack };
  }

  private async submitStartupJobs(loaded: LoadedModules): Promise<void> {
    const startupJobs = loaded.startupJobs;
    if (startupJobs.length === 0) return;
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

  /**
   * Records the declared schedules (and marks removed those of the loaded plugins that are not
   * declared any more). A process whose jobs mode is `none` submits nothing: it neither runs
   * schedules nor judges which were removed.
   */
  private async declareSchedules(loaded: LoadedModules): Promise<void> {
    if (this.options.jobsMode === 'none') return;
    const scopeTypeIds = loaded.modules.flatMap(({ plugin }) => plugin.jobTypes.map((type) => type.id));
    const scheduler = new Scheduler({ store: this.store, db: this.options.database.db, client: this.client, logger: this.logger, schedules: loaded.schedules, scopeTypeIds });
    scheduler.check();
    if (scopeTypeIds.length > 0) await this.untilDatabase('declaring schedules', () => scheduler.declare());
    this.scheduler = scheduler;
  }

  /**
   * Writes the limits the modules declare (`JobRegistry.limit`) for the types of the loaded
   * plugins; limits set at run time stay in force. Like schedules, not in jobs mode `none`.
   */
  private async declareLimits(loaded: LoadedModules): Promise<void> {
    const scopeTypeIds = loaded.modules.flatMap(({ plugin }) => plugin.jobTypes.map((type) => type.id));
    if (this.options.jobsMode === 'none' || scopeTypeIds.length === 0) return;
    const limits = loaded.limits.map(({ type, ...limit }) => ({ typeId: type.id, ...limit }));
    await this.untilDatabase('declaring limits', () => this.store.jobTypeLimitsDeclare({ scopeTypeIds, limits }));
  }

    private reportError(error: unknown, during: string): void {
    if (isTransientDatabaseError(error)) this.logger.warn({ err: error, during }, 'database unavailable; retrying');
    else this.logger.error({ err: error, during }, 'worker error');
    this.events.emit('worker:error', { workerId: this.id, error, during });
  }

  private untilDatabase<T>(during: string, task: () => Promise<T>): Promise<T> {
    return untilDatabase(task, { during, reportError: (error, what) => this.reportError(error, what), isStopped: () => this.state === 'stopped' });
  }
}
