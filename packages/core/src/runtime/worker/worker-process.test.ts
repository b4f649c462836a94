import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testPostgresUrl, type TestDatabase } from '../../testing/test-database.js';
import { createJobbyClient, type JobbyClient } from '../client.js';
import { demoJobs, demoRegistry } from '../../testing/demo-plugin.js';
import { until } from '../../testing/until.js';

/** Real processes: SIGTERM with jobs in flight, and SIGKILL mid-job with another worker taking over. */

const fixture = fileURLToPath(new URL('../testing/worker-process.ts', import.meta.url));

interface WorkerProcess {
  child: ChildProcess;
  id: string;
  /** stdout and stderr, interleaved. */
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe('worker processes on real Postgres', () => {
  let database: TestDatabase;
  let client: JobbyClient;
  const processes: WorkerProcess[] = [];

  const startProcess = async (env: Record<string, string> = {}): Promise<WorkerProcess> => {
    const child = spawn(process.execPath, ['--conditions=@jobby/source', '--import', 'tsx', fixture], {
      env: { ...process.env, DATABASE_URL: testPostgresUrl(), JOBBY_SCHEMA: database.schema, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    // Both streams: the fixture's logger writes to stdout.
    let output = '';
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
      output += chunk;
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const id = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout!.on('data', (chunk) => {
        stdout += chunk;
        output += chunk;
        const match = /ready (\S+)/.exec(stdout);
        if (match) resolve(match[1]!);
      });
      void exited.then(({ code }) => reject(new Error(`worker process exited (${code}) before it was ready: ${stderr}`)));
    });
    const worker = { child, id, exited, output: () => output };
    processes.push(worker);
    return worker;
  };

  beforeAll(async () => {
    database = await createTestDatabase({ backend: 'postgres' });
    client = createJobbyClient({ database, registry: demoRegistry });
  });
  afterEach(async () => {
    for (const worker of processes.splice(0)) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
      await worker.exited;
    }
  });
  afterAll(async () => {
    await database?.close();
  });

  it('on SIGTERM lets the job in flight finish within the grace period, then exits 0', async () => {
    const worker = await startProcess();
    await client.submit(demoJobs.refs.Slow, 'graceful', { ms: 700 }, { maxAttempts: 1 });
    await until('the job to run', async () => (await client.get(demoJobs.refs.Slow, 'graceful'))?.state === 'running');
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    const job = await client.get(demoJobs.refs.Slow, 'graceful');
    expect(job).toMatchObject({ state: 'succeeded', attempts: 1, output: { finished: true } });
  });

  it('started while Postgres refuses some connections (53300), still exits 0 on SIGTERM', async () => {
    // A role limited to 2 connections stands in for a full server: the worker's warm-up (4
    // connections) gets some and is refused the rest. Before issue 16's fix the warm-up's other
    // connections were never given back, closing the database hung, and the process kept running.
    const role = `jobby_limited_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: testPostgresUrl() });
    await admin.connect();
    try {
      await admin.query(`create role ${role} login connection limit 2`);
      await admin.query(`grant all on schema ${database.schema} to ${role}; grant all on all tables in schema ${database.schema} to ${role}; grant all on all sequences in schema ${database.schema} to ${role}`);
      const url = new URL(testPostgresUrl());
      url.username = role;
      url.password = '';
      const worker = await startProcess({ DATABASE_URL: url.toString(), TEST_LOG_LEVEL: 'warn' });
      worker.child.kill('SIGTERM');
      const exit = await Promise.race([worker.exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 15_000))]);
      expect(exit, worker.output()).toEqual({ code: 0, signal: null });
      expect(worker.output()).toMatch(/warming up pooled connections failed/);
    } finally {
      for (const worker of processes.splice(0)) {
        if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
        await worker.exited;
      }
      await admin.query(`drop owned by ${role}; drop role if exists ${role}`).catch(() => {});
      await admin.end();
    }
  });

  it('after SIGKILL mid-job, another worker runs the job again within lease + sweep interval', async () => {
    const leaseSeconds = 2;
    const sweepMs = 500;
    const first = await startProcess({ TEST_LEASE_SECONDS: String(leaseSeconds), TEST_SWEEP_MS: String(sweepMs) });
    await client.submit(demoJobs.refs.Sleep, 'killed', { ms: 20_000 }, { maxAttempts: 3 });
    await until('the job to run on the first worker', async () => (await client.get(demoJobs.refs.Sleep, 'killed'))?.workerId === first.id);
    // The second worker is up before the kill, so the measure is recovery, not process start-up.
    const second = await startProcess({ TEST_LEASE_SECONDS: String(leaseSeconds), TEST_SWEEP_MS: String(sweepMs) });
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect((await first.exited).signal).toBe('SIGKILL');
    const rerun = await until('the job to run again', async () => {
      const job = await client.get(demoJobs.refs.Sleep, 'killed');
      return job && job.attempts === 2 && job.workerId === second.id && job;
    });
    const recoveryMs = rerun.startedAt!.getTime() - killedAt;
    // Lease + sweep interval, plus one poll and some slack for a busy machine.
    expect(recoveryMs).toBeLessThan(leaseSeconds * 1000 + sweepMs + 1_500);
    // The second worker holds it now; stop it gracefully so the job is handed back, not lost.
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    const handedBack = await client.get(demoJobs.refs.Sleep, 'killed');
    expect(handedBack).toMatchObject({ state: 'queued', attempts: 1 });
    const attempts = await client.attempts(handedBack!.id);
    expect(attempts.map((attempt) => [attempt.outcome, attempt.workerId])).toEqual([
      ['lease_expired', first.id],
      ['handed_back', second.id],
    ]);
  });
});
