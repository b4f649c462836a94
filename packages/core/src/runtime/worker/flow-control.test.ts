import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { until } from '../../testing/until.js';
import { createJobbyClient, type JobbyClient } from '../client.js';
import { DemoJob, demoControl, demoJobs, demoRegistry } from '../../testing/demo-plugin.js';
import { createWorker, type Worker } from './worker.js';

/** Flow control (issue 19) with real workers: pause, a cluster-wide concurrency limit, run-at on time. */
describe('flow control on real Postgres', () => {
  let database: TestDatabase;
  let client: JobbyClient;
  const workers: Worker[] = [];
  const startWorker = async (pollIntervalMs = 200) => {
    const worker = createWorker({ database, registry: demoRegistry, logger: pino({ level: 'silent' }), concurrency: 5, pollIntervalMs, sweepIntervalMs: 200 });
    workers.push(worker);
    await worker.start();
    return worker;
  };

  beforeAll(async () => {
    database = await createTestDatabase({ backend: 'postgres' });
    client = createJobbyClient({ database, registry: demoRegistry });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop({ graceMs: 100 })));
  });
  afterAll(async () => {
    await database?.close();
  });

  it('a paused type waits, nothing lost; resumed, it runs at once', async () => {
    expect(await client.setTypeControls(demoJobs.refs.Produce, { paused: true })).toMatchObject({ paused: true, concurrency: null });
    await startWorker();
    await client.submitMany(Array.from({ length: 5 }, (_, index) => ({ type: demoJobs.refs.Produce, key: `paused-${index}`, input: { value: index } })));
    await new Promise((resolve) => setTimeout(resolve, 800));
    for (let index = 0; index < 5; index++) expect((await client.get(demoJobs.refs.Produce, `paused-${index}`))?.state).toBe('queued');
    const resumedAt = Date.now();
    expect(await client.setTypeControls(demoJobs.refs.Produce, { paused: false })).toMatchObject({ paused: false });
    await until('the paused jobs to run', async () => {
      const states = await Promise.all(Array.from({ length: 5 }, (_, index) => client.get(demoJobs.refs.Produce, `paused-${index}`)));
      return states.every((job) => job?.state === 'succeeded');
    }, 10_000, 20);
    // Woken by the resume's notification, not by the next poll.
    expect(Date.now() - resumedAt).toBeLessThan(1_000);
    expect(await client.typeControls(demoJobs.refs.Produce)).toMatchObject({ paused: false, concurrency: null });
  });

  it('never runs more of a limited type at once than its limit, across two workers', async () => {
    await client.setTypeControls(demoJobs.refs.Slow, { concurrency: 2 });
    await Promise.all([startWorker(), startWorker()]);
    await client.submitMany(Array.from({ length: 8 }, (_, index) => ({ type: demoJobs.refs.Slow, key: `limited-${index}`, input: { ms: 150 } })));
    const running = sql<{ n: number }>`
      select count(*)::int as n from ${sql.table(`${database.schema}.job_running`)} r
      join ${sql.table(`${database.schema}.jobs`)} j on j.id = r.job_id where j.key like 'limited-%'`;
    let most = 0;
    await until('the limited jobs to finish', async () => {
      most = Math.max(most, (await running.execute(database.db)).rows[0]!.n);
      const states = await Promise.all(Array.from({ length: 8 }, (_, index) => client.get(demoJobs.refs.Slow, `limited-${index}`)));
      return states.every((job) => job?.state === 'succeeded');
    }, 20_000, 10);
    expect(most).toBe(2);
    await client.setTypeControls(demoJobs.refs.Slow, { concurrency: null });
  });

  it('writes the limits declared in code at start; a run-time value wins until cleared (issue 19)', async () => {
    demoControl.schedules = (registry) => registry.limit(DemoJob.Slow, { concurrency: 1, rate: { limit: 2, intervalMs: 400 } });
    try {
      await startWorker(10_000);
    } finally {
      demoControl.schedules = undefined;
    }
    expect(await client.typeControls(demoJobs.refs.Slow)).toMatchObject({ concurrency: 1, rate: { limit: 2, intervalMs: 400 }, sources: { concurrency: 'code', rate: 'code' } });
    expect(await client.setTypeControls(demoJobs.refs.Slow, { concurrency: 5 })).toMatchObject({ concurrency: 5, declared: { concurrency: 1 }, sources: { concurrency: 'run-time' } });
    // A full rate window wakes the worker when it reopens (it polls every 10 s): 6 jobs at 2 per 400 ms.
    const submittedAt = Date.now();
    await client.submitMany(Array.from({ length: 6 }, (_, index) => ({ type: demoJobs.refs.Slow, key: `rated-${index}`, input: { ms: 1 } })));
    await until('the rate-limited jobs to finish', async () => {
      const states = await Promise.all(Array.from({ length: 6 }, (_, index) => client.get(demoJobs.refs.Slow, `rated-${index}`)));
      return states.every((job) => job?.state === 'succeeded');
    }, 10_000, 20);
    const elapsed = Date.now() - submittedAt;
    expect(elapsed).toBeGreaterThanOrEqual(780);
    expect(elapsed).toBeLessThan(2_500);
    expect(await client.setTypeControls(demoJobs.refs.Slow, { clearLimits: true })).toMatchObject({ concurrency: 1, sources: { concurrency: 'code' } });
    // A worker whose code declares no limit any more removes them.
    await startWorker();
    expect(await client.typeControls(demoJobs.refs.Slow)).toMatchObject({ concurrency: null, rate: null, sources: { concurrency: null, rate: null } });
  });

  it('starts a job on its run-at, not at the next poll, and a retry when its backoff ends (issue 19)', async () => {
    // Polls every 10 s: only the run-at timer can start these in time.
    const worker = await startWorker(10_000);
    const started = new Map<string, number>();
    worker.events.on('job:start', (event) => started.set(`${event.key}:${event.attempt}`, Date.now()));
    const base = Date.now() + 300;
    const runAts = Array.from({ length: 8 }, (_, index) => base + index * 120);
    await client.submitMany(runAts.map((runAt, index) => ({ type: demoJobs.refs.Produce, key: `on-time-${index}`, input: { value: index }, options: { runAt: new Date(runAt) } })));
    await until('the scheduled jobs to start', async () => started.size >= runAts.length, 10_000, 20);
    const lateness = runAts.map((runAt, index) => started.get(`on-time-${index}:1`)! - runAt).sort((a, b) => a - b);
    expect(lateness[0]).toBeGreaterThanOrEqual(-5);
    expect(lateness[Math.floor(lateness.length / 2)]).toBeLessThan(50);
    expect(lateness[lateness.length - 1]).toBeLessThan(250);
    // Two failures, each retried after a 10–50 ms backoff: done long before a poll.
    const submittedAt = Date.now();
    await client.submit(demoJobs.refs.Flaky, 'retried-on-time', { failTimes: 2 });
    await until('the flaky job to succeed', async () => (await client.get(demoJobs.refs.Flaky, 'retried-on-time'))?.state === 'succeeded', 10_000, 20);
    expect(Date.now() - submittedAt).toBeLessThan(2_000);
  });
});
