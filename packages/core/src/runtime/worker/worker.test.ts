import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createJobStore } from '../../store/job-store.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { createJobbyClient, type JobbyClient } from '../client.js';
import { defineJobs } from '../../contract/define-jobs.js';
import { definePlugin } from '../../contract/define-plugin.js';
import { payload } from '../../contract/payload.js';
import { defineRegistry } from '../registry.js';
import { demoControl, demoJobs, demoRegistry, type CombineOutput } from '../../testing/demo-plugin.js';
import { createWorker, type Worker } from './worker.js';
import { until as waitUntil } from '../../testing/until.js';

const logger = pino({ level: 'silent' });

const until = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> =>
  waitUntil(what, probe, timeoutMs, 25);

describe('worker on real Postgres', () => {
  let database: TestDatabase;
  let client: JobbyClient;
  const workers: Worker[] = [];
  const startWorker = async (options: Partial<Parameters<typeof createWorker>[0]> = {}) => {
    const worker = createWorker({ database, registry: demoRegistry, logger, sweepIntervalMs: 200, pollIntervalMs: 200, ...options });
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

  it('runs a fan-in DAG whose child consumes its parents typed outputs', async () => {
    await startWorker();
    await client.submit(demoJobs.refs.Produce, 'a', { value: 2 });
    await client.submit(demoJobs.refs.Produce, 'b', { value: 5 });
    await client.submit(demoJobs.refs.Combine, 'sum', { label: 'total' }, {
      dependsOn: [
        { type: demoJobs.refs.Produce, key: 'a' },
        { type: 'demo.Produce', key: 'b' },
      ],
    });
    const done = await until('the fan-in job', async () => {
      const job = await client.get(demoJobs.refs.Combine, 'sum');
      return job?.state === 'succeeded' && job;
    });
    const output: CombineOutput | null = done.output;
    expect(output).toEqual({ sum: 14, parts: ['total', 'demo.Produce:a', 'demo.Produce:b'], first: 4 });
  });

  it('retries with backoff until the handler succeeds, recording each failed attempt', async () => {
    await startWorker();
    const submitted = await client.submit(demoJobs.refs.Flaky, 'flaky', { failTimes: 2 }, { maxAttempts: 5 });
    const done = await until('the flaky job', async () => {
      const job = await client.get(demoJobs.refs.Flaky, 'flaky');
      return job?.state === 'succeeded' && job;
    });
    expect(done.output).toEqual({ attempts: 3 });
    const attempts = await client.attempts(submitted.id);
    expect(attempts.map((attempt) => [attempt.attempt, attempt.outcome, attempt.error?.message])).toEqual([
      [1, 'failed', 'flaky failure 1'],
      [2, 'failed', 'flaky failure 2'],
    ]);
  });

  it('records run time from the handler start: a prefetched job waiting behind others is queued, not running', async () => {
    // One slot, jobs claimed ahead: all three are claimed at once, then run one after another.
    await startWorker({ concurrency: 1, prefetch: 3 });
    await client.submitMany(['p1', 'p2', 'p3'].map((key) => ({ type: demoJobs.refs.Sleep, key, input: { ms: 150 } })));
    const jobs = await until('the three sleeps', async () => {
      const found = await Promise.all(['p1', 'p2', 'p3'].map((key) => client.get(demoJobs.refs.Sleep, key)));
      return found.every((job) => job?.state === 'succeeded') && found.map((job) => job!);
    });
    for (const job of jobs) {
      // The handler's 150 ms (and the completion's batching), not the time since the claim.
      expect(job.finishedAt!.getTime() - job.startedAt!.getTime()).toBeGreaterThanOrEqual(145);
      expect(job.finishedAt!.getTime() - job.startedAt!.getTime()).toBeLessThan(290);
    }
    // The last one waited for the two before it: queue delay, from ready to start.
    expect(jobs[2]!.startedAt!.getTime() - jobs[2]!.readyAt!.getTime()).toBeGreaterThanOrEqual(290);
  });

  it('times out a slow attempt: its signal aborts and the attempt fails', async () => {
    await startWorker();
    await client.submit(demoJobs.refs.Slow, 'too-slow', { ms: 10_000 }, { maxAttempts: 1 });
    const failed = await until('the timed-out job', async () => {
      const job = await client.get(demoJobs.refs.Slow, 'too-slow');
      return job?.state === 'failed' && job;
    });
    expect(failed.lastError?.code).toBe('JOB_TIMEOUT');
    expect(demoControl.aborted).toContain('too-slow');
    expect((await client.attempts(failed.id))[0]?.outcome).toBe('timed_out');
  });

  it('cancels a running job: the handler is aborted and nothing is recorded after', async () => {
    await startWorker();
    await client.submit(demoJobs.refs.Slow, 'cancel-me', { ms: 800 }, { maxAttempts: 1 });
    await until('the slow job to start', async () => demoControl.started.includes('cancel-me'));
    expect(await client.cancel(demoJobs.refs.Slow, 'cancel-me')).toBe(true);
    await until('the abort', async () => demoControl.aborted.includes('cancel-me'), 3_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const job = await client.get(demoJobs.refs.Slow, 'cancel-me');
    expect(job?.state).toBe('cancelled');
    expect(job?.lastError?.code).toBe('JOB_CANCELLED');
  });

  it('applies handler actions atomically with success: submit, submit a dependent, run again later', async () => {
    await startWorker();
    await client.submit(demoJobs.refs.Chain, 'parent', { mode: 'submit' });
    await until('the dependent submitted by the handler', async () => (await client.get(demoJobs.refs.Strict, 'parent-after'))?.state === 'succeeded');
    expect(await client.get(demoJobs.refs.Produce, 'parent-child')).toMatchObject({ state: 'succeeded', output: { doubled: 6 } });
    const parent = await client.get(demoJobs.refs.Chain, 'parent');
    const after = await client.get(demoJobs.refs.Strict, 'parent-after');
    // The dependent ran after its parent finished.
    expect(after!.startedAt!.getTime()).toBeGreaterThanOrEqual(parent!.finishedAt!.getTime());
    const { dependencies } = await createJobStore(database).jobNeighbours(after!.id);
    expect(dependencies.map((dependency) => dependency.id)).toEqual([parent!.id]);

    const submitted = await client.submit(demoJobs.refs.Chain, 'repeat', { mode: 'repeat' });
    const repeated = await until('three runs', async () => {
      const job = await client.get(demoJobs.refs.Chain, 'repeat');
      return job?.state === 'succeeded' && job;
    });
    expect(repeated.output).toEqual({ runs: 3 });
    expect(repeated.id).toBe(submitted.id);

    await client.submit(demoJobs.refs.Chain, 'failing', { mode: 'fail' }, { maxAttempts: 1 });
    await until('the failure', async () => (await client.get(demoJobs.refs.Chain, 'failing'))?.state === 'failed');
    // The submission made before the throw never happened.
    expect(await client.get(demoJobs.refs.Produce, 'failing-never')).toBeUndefined();
  });

  it('fails a job whose stored input breaks its schema, and keeps the others flowing', async () => {
    await startWorker();
    await client.submit(demoJobs.refs.Strict, 'good', { name: 'ok' });
    // Rows written behind the client's back (the record and its queue row), with an input its schema refuses.
    await sql`
      with job as (
        insert into ${sql.table(`${database.schema}.jobs`)} (type_id, key, input) values (7004, 'bad', '{"name": 42}')
        returning id, type_id
      )
      insert into ${sql.table(`${database.schema}.job_queue`)} (job_id, type_id, priority, run_at) select id, type_id, 0, now() from job`.execute(database.db);
    const bad = await until('the malformed job', async () => {
      const job = await client.get(demoJobs.refs.Strict, 'bad');
      return job?.state === 'failed' && job;
    });
    expect(bad.lastError?.code).toBe('PAYLOAD_INVALID');
    expect(bad.attempts).toBe(1);
    await until('the good job', async () => (await client.get(demoJobs.refs.Strict, 'good'))?.state === 'succeeded');
  });

  it('refuses bad submissions with a clear error and writes nothing', async () => {
    await expect(client.submit(demoJobs.refs.Produce, 'bad-input', { value: 'two' } as never)).rejects.toMatchObject({ code: 'PAYLOAD_INVALID' });
    await expect(client.submit('demo.Nope' as never, 'x', {} as never)).rejects.toMatchObject({ code: 'UNKNOWN_JOB_TYPE' });
    await expect(client.submit(demoJobs.refs.Produce, 'date', { value: new Date() } as never)).rejects.toThrow('is a Date instance');
    await expect(client.submit(demoJobs.refs.Produce, 'nul\u0000key', { value: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.submit(demoJobs.refs.Strict, 'nul-input', { name: 'a\u0000b' })).rejects.toThrow('contains a NUL character');
    // A key or an input string cut inside an emoji (a lone surrogate), and a key of 300 emoji (600 UTF-16 units).
    const cut = 'k\u{1F600}'.slice(0, 2);
    await expect(client.submit(demoJobs.refs.Produce, cut, { value: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('key of demo.Produce contains a lone UTF-16 surrogate (U+D83D at index 1)') });
    await expect(client.get(demoJobs.refs.Produce, cut)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.submit(demoJobs.refs.Strict, 'cut-input', { name: cut })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('input.name contains a lone UTF-16 surrogate') });
    await expect(client.submit(demoJobs.refs.Produce, '\u{1F600}'.repeat(300), { value: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('UTF-16 code units long') });
    expect(await client.get(demoJobs.refs.Strict, 'cut-input')).toBeUndefined();
    // runAt that is not a Date was a TypeError; one past year 9999 a raw 22009.
    await expect(client.submit(demoJobs.refs.Produce, 'run-at-text', { value: 1 }, { runAt: '2026-01-01' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('runAt must be a Date, got string') });
    await expect(client.submit(demoJobs.refs.Produce, 'run-at-10000', { value: 1 }, { runAt: new Date('+010000-01-01T00:00:00Z') })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await client.get(demoJobs.refs.Produce, 'bad-input')).toBeUndefined();
  });

  it('submits startup jobs once, however often workers start', async () => {
    demoControl.startupJobs = true;
    try {
      await startWorker();
      await startWorker();
      await until('the startup chain', async () => (await client.get(demoJobs.refs.Combine, 'startup-sum'))?.state === 'succeeded');
      const { rows } = await sql<{ count: string }>`select count(*) from ${sql.table(`${database.schema}.jobs`)} where key like 'startup-%'`.execute(database.db);
      expect(Number(rows[0]!.count)).toBe(2);
    } finally {
      demoControl.startupJobs = false;
    }
  });

  it('hands back running jobs at stop when the grace period ends', async () => {
    const worker = await startWorker();
    await client.submit(demoJobs.refs.Slow, 'in-flight', { ms: 900 }, { maxAttempts: 1 });
    await until('the slow job to start', async () => demoControl.started.includes('in-flight'));
    workers.splice(workers.indexOf(worker), 1);
    const { handedBack } = await worker.stop({ graceMs: 50 });
    expect(handedBack).toBe(1);
    const job = await client.get(demoJobs.refs.Slow, 'in-flight');
    expect(job).toMatchObject({ state: 'queued', attempts: 0 });
  });

  it('refuses to start with a registry that maps a known id to another name', async () => {
    await client.submit(demoJobs.refs.Produce, 'known', { value: 1 });
    enum OtherJob {
      Renamed = 0,
    }
    const otherJobs = defineJobs({ plugin: 'other', enum: OtherJob, types: { Renamed: { input: payload<Record<string, never>>() } } });
    class OtherModule {
      static initialize() {
        return new OtherModule();
      }
      workers() {}
      jobs() {}
    }
    const conflicting = defineRegistry({
      plugins: [{ name: 'other', clientId: 7, packageName: 'other', version: '0.0.0', definition: definePlugin({ jobs: otherJobs, module: OtherModule }), jobTypes: [{ id: 7000, localId: 0, name: 'Renamed', submittable: false }] }],
    });
    const worker = createWorker({ database, registry: conflicting, logger });
    await expect(worker.start()).rejects.toMatchObject({ code: 'REGISTRY_CONFLICT' });
    await expect(createWorker({ database, registry: conflicting, logger }).start()).rejects.toThrow(
      'id 7000 is demo.Produce in the database but other.Renamed in this registry',
    );
  });
});
