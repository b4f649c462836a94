import { backoffDelay, createJobbyClient, createLogger, isTransientDatabaseError, openDatabase, type JobbyClient, type JobbyDatabase, type JobTypeKey } from '@jobby/core';
import type { SubmitOptions } from '@jobby/core';
import { createChaosSchema, defaultDatabaseUrl, type ChaosSchema } from './audit.js';
import { check, drain, recordEnqueued, type CheckFigures, type EnqueuedJob } from './checker.js';
import { chaosRegistry, configureChaosAudit } from './plugin.js';
import { createRandom, type Random } from './random.js';
import { sleep } from './harness.js';

/** What every scenario gets and returns. */

export interface ScenarioOptions {
  seed: number;
  /** Seconds of load, for the scenarios that run for a while (kill9, poison, pg-restart). */
  durationS?: number;
  /** The `npm test` size. */
  short?: boolean;
  connectionString?: string;
  log?: (message: string) => void;
}

export interface ScenarioResult {
  scenario: string;
  seed: number;
  ok: boolean;
  /** Why `ok` is false (empty when it is true). */
  failures: string[];
  durationMs: number;
  [figure: string]: unknown;
}

export type Scenario = (options: ScenarioOptions) => Promise<ScenarioResult>;

export const silentLogger = createLogger({ level: process.env.CHAOS_LOG_LEVEL ?? 'silent' });

/** One scenario run: its schema, a client, the seeded random source, and the enqueue record. */
export class Run {
  readonly random: Random;
  readonly enqueued: EnqueuedJob[] = [];
  readonly failures: string[] = [];
  readonly startedAt = Date.now();
  readonly log: (message: string) => void;
  private constructor(
    readonly name: string,
    readonly options: ScenarioOptions,
    readonly chaos: ChaosSchema,
    readonly database: JobbyDatabase,
    readonly client: JobbyClient,
  ) {
    this.random = createRandom(options.seed);
    this.log = options.log ?? (() => {});
  }

  static async start(name: string, options: ScenarioOptions, poolSize = 10): Promise<Run> {
    const connectionString = options.connectionString ?? defaultDatabaseUrl;
    const chaos = await createChaosSchema(name, { connectionString, poolSize });
    const database = await openDatabase({ connectionString, schema: chaos.schema, poolSize, applicationName: 'chaos-harness' });
    database.pool.on('connect', (client) => client.on('error', () => {}));
    const client = createJobbyClient({ database, registry: chaosRegistry });
    configureChaosAudit({ pool: chaos.pool, schema: chaos.schema });
    return new Run(name, options, chaos, database, client);
  }

  get schema(): string {
    return this.chaos.schema;
  }

  get connectionString(): string {
    return this.chaos.connectionString;
  }

  expect(condition: boolean, failure: string): void {
    if (!condition) this.failures.push(failure);
  }

  /**
   * Submits and records the committed jobs. Through a Postgres restart it retries: a retried
   * submission whose first try committed comes back `created: false` with the same id.
   */
  async submit(jobs: { type: JobTypeKey; key: string; input: unknown; options?: SubmitOptions; kind: string }[], retryMs = 0): Promise<void> {
    const deadline = Date.now() + retryMs;
    for (let failures = 1; ; failures++) {
      try {
        const results = await this.client.submitMany(jobs);
        results.forEach((result, index) => {
          const job = jobs[index]!;
          this.enqueued.push({ id: result.id, key: job.key, kind: job.kind, maxAttempts: job.options?.maxAttempts ?? 25 });
        });
        return;
      } catch (error) {
        if (!isTransientDatabaseError(error) || Date.now() > deadline) throw error;
        await sleep(backoffDelay(failures, { baseMs: 50, maxMs: 1_000 }));
      }
    }
  }

  /** Records the enqueues, drains, and runs the checker; expects lost, doubleCompleted, doubleFinalized, inconsistent … = 0. */
  async finish(drainTimeoutMs: number): Promise<CheckFigures> {
    await recordEnqueued(this.chaos.pool, this.schema, dedupe(this.enqueued));
    const open = await drain(this.chaos.pool, this.schema, this.enqueued.map((job) => job.id), drainTimeoutMs);
    const figures = await check(this.chaos.pool, this.schema);
    this.expect(open === 0 && figures.lost === 0, `lost ${figures.lost} jobs (not final after ${drainTimeoutMs} ms), e.g. ${figures.lostSample.join(', ')}`);
    this.expect(figures.doubleCompleted === 0, `${figures.doubleCompleted} jobs completed more than once`);
    this.expect(figures.doubleFinalized === 0, `${figures.doubleFinalized} jobs reached a final state more than once`);
    this.expect(figures.sameAttemptExecutions === 0, `${figures.sameAttemptExecutions} attempts executed twice`);
    this.expect(figures.inconsistent === 0, `${figures.inconsistent} jobs or rows in contradictory states (queued and running, a hot row without its record, a record without a state)`);
    this.expect(figures.snapshotMismatches === 0, `${figures.snapshotMismatches} jobs whose state in job_snapshots differs from their rows`);
    return figures;
  }

  result(figures: Record<string, unknown>): ScenarioResult {
    return { scenario: this.name, seed: this.options.seed, ok: this.failures.length === 0, failures: this.failures, durationMs: Date.now() - this.startedAt, ...figures };
  }

  async close(): Promise<void> {
    configureChaosAudit(undefined);
    await this.database.close().catch(() => {});
    await this.chaos.drop();
  }
}

function dedupe(jobs: readonly EnqueuedJob[]): EnqueuedJob[] {
  return [...new Map(jobs.map((job) => [job.id, job])).values()];
}

/** The figures every scenario prints, from the checker. */
export function coreFigures(figures: CheckFigures): Record<string, unknown> {
  const { lostSample: _lostSample, ...rest } = figures;
  return rest;
}

export const work = 'chaos.Work' as JobTypeKey;
export const join = 'chaos.Join' as JobTypeKey;
export const poison = 'chaos.Poison' as JobTypeKey;
