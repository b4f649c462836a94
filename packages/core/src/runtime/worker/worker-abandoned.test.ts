import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineJobs } from '../../contract/define-jobs.js';
import { definePlugin } from '../../contract/define-plugin.js';
import type { JobRegistry } from '../../contract/job-registry.js';
import type { ModuleContext, PluginModule } from '../../contract/module.js';
import { payload } from '../../contract/payload.js';
import type { WorkerRegistry } from '../../contract/worker-registry.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { until } from '../../testing/until.js';
import { createJobbyClient, type JobbyClient } from '../client.js';
import type { WorkerEvents } from '../events.js';
import { defineRegistry } from '../registry.js';
import { createWorker, type Worker } from './worker.js';

/**
 * Handlers that ignore their AbortSignal (issue 16, item 5): a slot is free only when the handler
 * has settled, and one job never runs twice at once in one process. The handler below sleeps
 * without looking at its signal, on the attempts its input names, and records when it runs.
 */

enum StubbornJob {
  /** Times out after 150 ms. */
  Stuck = 0,
  /** No timeout: aborted only by a cancellation (or a lost lease, or shutdown). */
  Held = 1,
}

/** The first `stuckRuns` runs of a job in this process sleep `stuckMs`, ignoring their signal. */
interface StuckInput {
  stuckMs: number;
  stuckRuns: number;
}

const stubbornJobs = defineJobs({
  plugin: 'stubborn',
  enum: StubbornJob,
  types: {
    Stuck: { input: payload<StuckInput>(), output: payload<{ attempt: number }>() },
    Held: { input: payload<StuckInput>(), output: payload<{ attempt: number }>() },
  },
});

/** What ran when: handler bodies in flight, the most at once, and overlaps of one job id. */
const observed = {
  running: new Map<string, number>(),
  inFlight: 0,
  maxInFlight: 0,
  sameJobOverlaps: 0,
  runs: [] as { id: string; attempt: number; start: number; end: number }[],
  reset() {
    this.running.clear();
    this.inFlight = 0;
    this.maxInFlight = 0;
    this.sameJobOverlaps = 0;
    this.runs = [];
  },
};

class StubbornModule implements PluginModule<typeof stubbornJobs> {
  static initialize(_context: ModuleContext): StubbornModule {
    return new StubbornModule();
  }
  workers(registry: WorkerRegistry<typeof stubbornJobs>): void {
    const handler = async ({ input, job }: { input: StuckInput; job: { id: string; attempt: number } }) => {
      const start = performance.now();
      const earlierRuns = observed.runs.filter((run) => run.id === job.id).length + (observed.running.get(job.id) ?? 0);
      if ((observed.running.get(job.id) ?? 0) > 0) observed.sameJobOverlaps++;
      observed.running.set(job.id, (observed.running.get(job.id) ?? 0) + 1);
      observed.maxInFlight = Math.max(observed.maxInFlight, ++observed.inFlight);
      try {
        // Ignores its signal on purpose.
        if (earlierRuns < input.stuckRuns) await new Promise((resolve) => setTimeout(resolve, input.stuckMs));
        return { attempt: job.attempt };
      } finally {
        observed.inFlight--;
        observed.running.set(job.id, observed.running.get(job.id)! - 1);
        observed.runs.push({ id: job.id, attempt: job.attempt, start, end: performance.now() });
      }
    };
    const options = { backoffBaseMs: 10, backoffMaxMs: 20, pollIntervalMs: 100 };
    registry.register(StubbornJob.Stuck, 'stuck', handler, { ...options, timeoutMs: 150 });
    registry.register(StubbornJob.Held, 'held', handler, options);
  }
  jobs(_registry: JobRegistry<typeof stubbornJobs>): void {}
}

const stubbornRegistry = defineRegistry({
  plugins: [
    {
      name: 'stubborn',
      clientId: 8,
      packageName: '@jobby/core (test fixture)',
      version: '0.0.0',
      definition: definePlugin({ jobs: stubbornJobs, module: StubbornModule }),
      jobTypes: [
        { id: 8000, localId: 0, name: 'Stuck', submittable: true },
        { id: 8001, localId: 1, name: 'Held', submittable: true },
      ],
    },
  ],
});

describe('handlers that ignore their abort signal, on real Postgres', () => {
  let database: TestDatabase;
  let client: JobbyClient;
  const workers: Worker[] = [];
  const startWorker = async (concurrency: number) => {
    const worker = createWorker({ database, registry: stubbornRegistry, logger: pino({ level: 'silent' }), concurrency, sweepIntervalMs: 200, pollIntervalMs: 100 });
    workers.push(worker);
    await worker.start();
    return worker;
  };

  beforeAll(async () => {
    database = await createTestDatabase({ backend: 'postgres' });
    client = createJobbyClient({ database, registry: stubbornRegistry });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop({ graceMs: 100 })));
    // Let the last stuck handlers end before the next test counts.
    await until('handlers to end', async () => observed.inFlight === 0, 5_000);
    observed.reset();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('keeps a timed-out handler slot until it settles: at concurrency 1 one handler runs at a time, and the stubborn one is reported', async () => {
    const worker = await startWorker(1);
    const abandoned: WorkerEvents['job:abandoned'][0][] = [];
    const settled: WorkerEvents['job:abandoned-settled'][0][] = [];
    worker.events.on('job:abandoned', (event) => abandoned.push(event));
    worker.events.on('job:abandoned-settled', (event) => settled.push(event));
    let abandonedSeen = 0;
    const watch = setInterval(() => (abandonedSeen = Math.max(abandonedSeen, worker.abandonedCount)), 20);
    try {
      await client.submitMany(['a', 'b'].map((key) => ({ type: stubbornJobs.refs.Stuck, key, input: { stuckMs: 2_000, stuckRuns: 1 }, options: { maxAttempts: 1 } })));
      await until('both handlers to end', async () => observed.runs.length === 2, 10_000);
    } finally {
      clearInterval(watch);
    }
    expect(observed.maxInFlight).toBe(1);
    for (const key of ['a', 'b']) expect(await client.get(stubbornJobs.refs.Stuck, key)).toMatchObject({ state: 'failed', lastError: { code: 'JOB_TIMEOUT' } });
    expect(abandoned.map((event) => [event.key, event.cause])).toEqual([
      ['a', 'timeout'],
      ['b', 'timeout'],
    ]);
    await until('both to be reported settled', async () => settled.length === 2, 2_000);
    expect(settled.every((event) => event.runMs >= 1_950)).toBe(true);
    expect(abandonedSeen).toBe(1);
    expect(worker.abandonedCount).toBe(0);
  });

  it('never runs a job twice at once: a retry claimed while the timed-out attempt still runs waits for it', async () => {
    await startWorker(4);
    const submitted = await client.submit(stubbornJobs.refs.Stuck, 'retried', { stuckMs: 700, stuckRuns: 1 }, { maxAttempts: 3 });
    const done = await until('the retry to succeed', async () => {
      const job = await client.get(stubbornJobs.refs.Stuck, 'retried');
      return job?.state === 'succeeded' && job;
    }, 10_000);
    expect(done.output).toEqual({ attempt: 2 });
    expect(observed.sameJobOverlaps).toBe(0);
    const [first, second] = observed.runs.filter((run) => run.id === submitted.id).sort((a, b) => a.attempt - b.attempt);
    expect(second!.start).toBeGreaterThanOrEqual(first!.end);
  });

  it('never runs a job twice at once: cancelled and retried while its handler still runs, the new attempt waits for it', async () => {
    const worker = await startWorker(4);
    const cancelled = new Promise((resolve) => worker.events.on('job:stale', resolve));
    const submitted = await client.submit(stubbornJobs.refs.Held, 'cancelled', { stuckMs: 800, stuckRuns: 1 }, { maxAttempts: 1 });
    await until('the handler to start', async () => (observed.running.get(submitted.id) ?? 0) > 0, 5_000);
    expect(await client.cancel(stubbornJobs.refs.Held, 'cancelled')).toBe(true);
    await cancelled;
    expect(await client.retry(stubbornJobs.refs.Held, 'cancelled')).toEqual([submitted.id]);
    const done = await until('the retried job to succeed', async () => {
      const job = await client.get(stubbornJobs.refs.Held, 'cancelled');
      return job?.state === 'succeeded' && job;
    }, 10_000);
    expect(done.id).toBe(submitted.id);
    expect(observed.sameJobOverlaps).toBe(0);
    const [first, second] = observed.runs.filter((run) => run.id === submitted.id);
    expect(second!.start).toBeGreaterThanOrEqual(first!.end);
  });
});
