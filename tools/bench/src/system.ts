/**
 * What every benchmarked system implements. The workloads (workloads.ts) are written once against
 * this interface, so every system is driven the same way: same job counts, same concurrency, same
 * no-op handler, same clock.
 */

export interface BenchContext {
  /** Postgres to use; every run gets its own fresh schema, dropped afterwards. */
  connectionString: string;
  /** Redis to use (bullmq only): every run gets its own key prefix, deleted afterwards. */
  redisUrl: string;
  /** The fresh schema (or Redis key prefix) of this run. */
  schema: string;
  concurrency: number;
  /**
   * The schema exists already and outlives this process: it holds the history an earlier process
   * of the same run seeded (`process-history`). setup() opens it instead of creating it, and
   * teardown() closes connections without dropping it.
   */
  existing?: boolean;
}

/** Called by the system's handler at the moment a job's handler starts. */
export type OnJobStart = (index: number) => void;

export interface BenchSystem {
  readonly name: SystemName;
  /** The settings this system runs with, shown in the results. */
  readonly variant: string;
  /** Where its jobs live: WAL per job is measured only for Postgres. */
  readonly storage: 'postgres' | 'redis';
  /** Creates its schema (migrations) in `context.schema`. */
  setup(): Promise<void>;
  /** Enqueues jobs `from … from + count − 1` through the system's bulk API, in one call. */
  enqueueBatch(from: number, count: number): Promise<void>;
  /** Enqueues one job through the system's single-job API. */
  enqueueOne(index: number): Promise<void>;
  /**
   * Enqueues jobs `from … from + runAts.length − 1` in one bulk call, job `from + k` due at
   * `runAts[k]` (the `scheduled` test); undefined when the system cannot run a job at a given time.
   */
  enqueueScheduled?(from: number, runAts: readonly Date[]): Promise<void>;
  /** Starts a worker (concurrency from the context) whose no-op handler calls `onStart`. */
  startWorker(onStart: OnJobStart): Promise<void>;
  stopWorker(): Promise<void>;
  /** Jobs not finished yet (queued, waiting or running), as the database sees them. */
  unfinished(): Promise<number>;
  /** Writes `count` finished jobs straight into the system's tables (the `process-bloated` history). */
  fillFinished(count: number): Promise<void>;
  /**
   * Writes `count` finished jobs that look like days of real history (`process-history`): a spread
   * of job types, outcomes and times, with everything the system keeps for a finished job.
   * Undefined where the system keeps no history that is comparable (see the README).
   */
  fillHistory?(count: number): Promise<void>;
  /** Tables to VACUUM ANALYZE after a bulk fill (as autovacuum would, given time); none outside Postgres. */
  tables(): string[];
  /** A fan-out/fan-in DAG of `nodes` jobs (root → nodes−2 → sink); undefined when not expressible. */
  dag?: {
    submit(nodes: number): Promise<void>;
    /** True once the sink has finished. */
    done(): Promise<boolean>;
  };
  /** Closes pools and drops the schema. */
  teardown(): Promise<void>;
}

export const systemNames = ['jobby', 'graphile-worker', 'pg-boss', 'bullmq', 'raw-pg'] as const;
export type SystemName = (typeof systemNames)[number];

export const testNames = ['enqueue-batch', 'enqueue-single', 'process', 'latency', 'scheduled', 'dag', 'process-bloated', 'process-history'] as const;
export type TestName = (typeof testNames)[number];
