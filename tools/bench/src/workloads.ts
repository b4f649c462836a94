import { readFile } from 'node:fs/promises';
import pg from 'pg';
import type { BenchSystem, TestName } from './system.js';

/**
 * The workloads, written once against BenchSystem. Every timing is taken in the process that
 * drives the system, with `performance.now()`.
 */

export interface WorkloadSizes {
  enqueueBatch: number;
  batchSize: number;
  enqueueSingle: number;
  process: number;
  /** Untimed jobs before the timed `latency` ones, for every system alike. */
  latencyWarmup: number;
  latency: number;
  /** Jobs of the `scheduled` test, their run-ats spread evenly over `scheduledSpreadMs`. */
  scheduled: number;
  scheduledSpreadMs: number;
  dag: number;
  bloat: number;
}

export const fullSizes: WorkloadSizes = {
  enqueueBatch: 20_000,
  batchSize: 500,
  enqueueSingle: 5_000,
  process: 20_000,
  latency: 200,
  latencyWarmup: 20,
  scheduled: 1_000,
  scheduledSpreadMs: 10_000,
  dag: 1_000,
  bloat: 1_000_000,
};
export const smokeSizes: WorkloadSizes = {
  enqueueBatch: 200,
  batchSize: 50,
  enqueueSingle: 50,
  process: 200,
  latency: 20,
  latencyWarmup: 2,
  scheduled: 20,
  scheduledSpreadMs: 1_000,
  dag: 20,
  bloat: 2_000,
};

export type Measurement =
  | { kind: 'rate'; rate: number; peakRssMb?: number; cpuMicrosecondsPerJob?: number; walBytesPerJob?: number }
  | { kind: 'latency'; p50: number; p95: number; p99: number };

/**
 * CPU time the whole machine spent busy so far, in microseconds: the first line of /proc/stat
 * (user, nice, system, irq, softirq, steal; in USER_HZ, 100 per second on Linux). Undefined where
 * there is no /proc/stat. Over a timed window, divided by the jobs, it is what a job cost in all —
 * the system's Node process and Postgres's backends and background processes — a figure the
 * machine's noise moves much less than throughput, as long as nothing else runs.
 */
async function machineBusyMicroseconds(): Promise<number | undefined> {
  try {
    const text = await readFile('/proc/stat', 'utf8');
    const [user, nice, system, , , irq, softirq, steal] = text.slice(0, text.indexOf('\n')).trim().split(/\s+/).slice(1).map(Number);
    const busy = user! + nice! + system! + irq! + softirq! + (steal ?? 0);
    return Number.isFinite(busy) ? busy * 10_000 : undefined;
  } catch {
    return undefined;
  }
}

/** Busy CPU per job between a reading taken before the timed window and now. */
async function cpuPerJob(before: number | undefined, jobs: number): Promise<number | undefined> {
  const after = await machineBusyMicroseconds();
  return before === undefined || after === undefined ? undefined : Math.round(((after - before) / jobs) * 10) / 10;
}

/**
 * WAL bytes per job over a timed window: what a job cost Postgres in writes (row versions, index
 * entries, locks, commits), a figure the machine's speed and noise do not move. Cluster-wide, like
 * CPU per job: meaningful when nothing else writes. Connected before the window, so that reading
 * the position costs one short query, not a connection.
 */
async function openWalMeter(connectionString: string) {
  const client = new pg.Client({ connectionString, application_name: 'bench-wal' });
  await client.connect();
  return {
    async position(): Promise<string> {
      return (await client.query<{ position: string }>('select pg_current_wal_insert_lsn()::text as position')).rows[0]!.position;
    },
    async perJob(before: string, jobs: number): Promise<number> {
      const { rows } = await client.query<{ bytes: number }>('select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1)::float8 as bytes', [before]);
      return Math.round(rows[0]!.bytes / jobs);
    },
    close: () => client.end(),
  };
}

const sleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 10): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

export interface WorkloadOptions {
  /** The first job index (and key) of the timed jobs: `process-history` rounds share a schema, so each round's keys are new. */
  firstIndex?: number;
}

export async function runWorkload(
  system: BenchSystem,
  test: TestName,
  sizes: WorkloadSizes,
  connectionString: string,
  options: WorkloadOptions = {},
): Promise<Measurement | undefined> {
  // WAL is Postgres's: a system that keeps its jobs elsewhere (bullmq) gets no WAL figure.
  const walMeterFor = () => (system.storage === 'postgres' ? openWalMeter(connectionString) : Promise.resolve(undefined));
  switch (test) {
    case 'enqueue-batch': {
      const walMeter = await walMeterFor();
      try {
        const wal = await walMeter?.position();
        const busy = await machineBusyMicroseconds();
        const started = performance.now();
        for (let from = 0; from < sizes.enqueueBatch; from += sizes.batchSize) {
          await system.enqueueBatch(from, Math.min(sizes.batchSize, sizes.enqueueBatch - from));
        }
        const rate = sizes.enqueueBatch / ((performance.now() - started) / 1000);
        const cpuMicrosecondsPerJob = await cpuPerJob(busy, sizes.enqueueBatch);
        return { kind: 'rate', rate, cpuMicrosecondsPerJob, walBytesPerJob: walMeter && (await walMeter.perJob(wal!, sizes.enqueueBatch)) };
      } finally {
        await walMeter?.close();
      }
    }
    case 'enqueue-single': {
      const started = performance.now();
      for (let index = 0; index < sizes.enqueueSingle; index++) await system.enqueueOne(index);
      return { kind: 'rate', rate: sizes.enqueueSingle / ((performance.now() - started) / 1000) };
    }
    case 'process':
    case 'process-bloated':
    case 'process-history': {
      if (test === 'process-bloated') {
        await system.fillFinished(sizes.bloat);
        await vacuumAnalyze(connectionString, system.tables());
      }
      if (test === 'process-history') {
        // The history was seeded (and analyzed) by an earlier process of this run; earlier rounds
        // left their processed jobs (kept, as history) and dead row versions: VACUUM them away,
        // as autovacuum would between bursts (it is off on this machine's server).
        await vacuumAnalyze(connectionString, system.tables(), { analyze: false });
      }
      // The worker starts idle; the jobs arrive in one bulk call (one transaction), and the clock
      // runs from its return until the database shows every job finished. Start-up is not timed.
      let started = 0;
      await system.startWorker(() => {
        started++;
      });
      const walMeter = await walMeterFor();
      try {
        await sleep(300);
        await system.enqueueBatch(options.firstIndex ?? 0, sizes.process);
        const busy = await machineBusyMicroseconds();
        const t0 = performance.now();
        // Read right after the clock starts (one short query): the WAL of the jobs processed
        // meanwhile is not counted, a fraction of a millisecond of the window.
        const wal = await walMeter?.position();
        await until('every handler to start', () => started >= sizes.process, 300_000, 2);
        await until('every job to be finished in the database', async () => (await system.unfinished()) === 0, 60_000, 5);
        const elapsed = performance.now() - t0;
        const cpuMicrosecondsPerJob = await cpuPerJob(busy, sizes.process);
        const walBytesPerJob = walMeter && (await walMeter.perJob(wal!, sizes.process));
        await system.stopWorker();
        return { kind: 'rate', rate: sizes.process / (elapsed / 1000), peakRssMb: process.resourceUsage().maxRSS / 1024, cpuMicrosecondsPerJob, walBytesPerJob };
      } finally {
        await walMeter?.close();
      }
    }
    case 'latency': {
      const startedAt = new Map<number, number>();
      let waiter: { index: number; resolve: () => void } | undefined;
      await system.startWorker((index) => {
        startedAt.set(index, performance.now());
        if (waiter?.index === index) waiter.resolve();
      });
      await sleep(500);
      const latencies: number[] = [];
      // The first jobs are not timed: they pay one-time costs (first statements on each pooled
      // connection, server-side function compilation, JIT) that say nothing about pickup latency.
      const warmup = sizes.latencyWarmup;
      for (let index = 0; index < warmup + sizes.latency; index++) {
        const seen = new Promise<void>((resolve) => (waiter = { index, resolve }));
        const enqueuedAt = performance.now();
        await system.enqueueOne(index);
        await Promise.race([seen, sleep(10_000)]);
        const start = startedAt.get(index);
        if (start === undefined) throw new Error(`job ${index} did not start within 10 s`);
        if (index >= warmup) latencies.push(start - enqueuedAt);
        // An idle worker between jobs: let completions and notifications settle.
        await sleep(5 + Math.random() * 15);
      }
      await system.stopWorker();
      latencies.sort((a, b) => a - b);
      return { kind: 'latency', p50: round2(percentile(latencies, 50)), p95: round2(percentile(latencies, 95)), p99: round2(percentile(latencies, 99)) };
    }
    case 'scheduled': {
      // Run-at on time: jobs due over the next `scheduledSpreadMs` (evenly spread, the first one
      // second out), enqueued in one bulk call to an idle worker; lateness is a handler's start
      // minus its job's run-at, on the wall clock (the database's and this process's are the
      // machine's). A system that polls starts a due job at its next poll; one that wakes for the
      // earliest run-at starts it on time.
      if (!system.enqueueScheduled) return undefined;
      const startedAt = new Map<number, number>();
      await system.startWorker((index) => {
        if (!startedAt.has(index)) startedAt.set(index, Date.now());
      });
      await sleep(500);
      const first = Date.now() + 1_000;
      const runAts = Array.from({ length: sizes.scheduled }, (_, index) => new Date(first + Math.round((index * sizes.scheduledSpreadMs) / sizes.scheduled)));
      await system.enqueueScheduled(0, runAts);
      await until('every scheduled job to start', () => startedAt.size >= sizes.scheduled, sizes.scheduledSpreadMs + 60_000, 10);
      await system.stopWorker();
      const lateness = runAts.map((runAt, index) => startedAt.get(index)! - runAt.getTime()).sort((a, b) => a - b);
      return { kind: 'latency', p50: round2(percentile(lateness, 50)), p95: round2(percentile(lateness, 95)), p99: round2(percentile(lateness, 99)) };
    }
    case 'dag': {
      if (!system.dag) return undefined;
      const dag = system.dag;
      await system.startWorker(() => {});
      await sleep(300);
      const started = performance.now();
      await dag.submit(sizes.dag);
      await until('the DAG sink to finish', () => dag.done(), 120_000, 5);
      const elapsed = performance.now() - started;
      await system.stopWorker();
      return { kind: 'rate', rate: sizes.dag / (elapsed / 1000) };
    }
  }
}

export async function vacuumAnalyze(connectionString: string, tables: readonly string[], options: { analyze?: boolean } = {}): Promise<void> {
  if (tables.length === 0) return;
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    for (const table of tables) {
      // A system may name a table its version does not have (a jobby core of an older store).
      const { rows } = await client.query('select to_regclass($1) is not null as present', [table]);
      if (rows[0].present) await client.query(`vacuum ${options.analyze === false ? '' : 'analyze '}${table}`);
    }
  } finally {
    await client.end();
  }
}
