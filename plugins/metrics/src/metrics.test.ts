import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  createJobbyClient,
  createLogger,
  createWorker,
  defineJobs,
  definePlugin,
  defineRegistry,
  payload,
  type JobbyClient,
  type JobRegistry,
  type PluginModule,
  type Worker,
  type WorkerRegistry,
} from '@jobby/core';
import { createTestDatabase, type TestDatabase } from '@jobby/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildWeeklyReport, demoUpload, InvalidUploadError, metricsJobs, metricsPlugin, processUpload, uploadFile, type WeeklyReportOutput } from './index.js';
import { until } from '@jobby/core/testing';

/*
 * The fan-in is tested against stand-ins of `steam` and `email` declared here, with the job names
 * and output shapes this plugin expects: plugins never import each other, and neither do their
 * tests. The real three plugins run together in `@jobby/worker`'s tests.
 */
enum StandInSteamJob {
  FetchAppList = 0,
  ProcessAppList = 1,
}
const standInSteamJobs = defineJobs({
  plugin: 'steam',
  enum: StandInSteamJob,
  types: {
    FetchAppList: { input: payload<object>() },
    ProcessAppList: { input: payload<object>(), output: payload<{ total: number; unique: number; topWords: { word: string; count: number }[] }>() },
  },
});
class StandInSteamModule implements PluginModule<typeof standInSteamJobs> {
  static initialize = () => new StandInSteamModule();
  workers(registry: WorkerRegistry<typeof standInSteamJobs>): void {
    registry.register(StandInSteamJob.FetchAppList, 'stand_in_fetch', () => null);
    registry.register(StandInSteamJob.ProcessAppList, 'stand_in_process', () => ({ total: 3, unique: 2, topWords: [{ word: 'portal', count: 2 }] }));
  }
  jobs(registry: JobRegistry<typeof standInSteamJobs>): void {
    registry.submit(StandInSteamJob.ProcessAppList, 'sentinel', {});
  }
}
enum StandInEmailJob {
  SendVerificationEmail = 0,
}
const standInEmailJobs = defineJobs({
  plugin: 'email',
  enum: StandInEmailJob,
  types: { SendVerificationEmail: { input: payload<object>(), output: payload<{ messageId: string; deliveredAt: string }>() } },
});
class StandInEmailModule implements PluginModule<typeof standInEmailJobs> {
  static initialize = () => new StandInEmailModule();
  workers(registry: WorkerRegistry<typeof standInEmailJobs>): void {
    registry.register(StandInEmailJob.SendVerificationEmail, 'stand_in_send', () => ({ messageId: '<m1@test>', deliveredAt: '2024-01-01T00:00:00.000Z' }));
  }
  jobs(registry: JobRegistry<typeof standInEmailJobs>): void {
    registry.submit(StandInEmailJob.SendVerificationEmail, 'sentinel', {});
  }
}

const registry = defineRegistry({
  plugins: [
    {
      name: 'email',
      clientId: 1,
      packageName: 'stand-in',
      version: '0.0.0',
      definition: definePlugin({ jobs: standInEmailJobs, module: StandInEmailModule }),
      jobTypes: [{ id: 1000, localId: 0, name: 'SendVerificationEmail', submittable: false }],
    },
    {
      name: 'metrics',
      clientId: 2,
      packageName: '@jobby/metrics',
      version: '0.0.0-test',
      definition: metricsPlugin,
      jobTypes: [
        { id: 2000, localId: 0, name: 'ProcessMetricsUpload', submittable: true },
        { id: 2001, localId: 1, name: 'BuildWeeklyReport', submittable: false },
      ],
    },
    {
      name: 'steam',
      clientId: 3,
      packageName: 'stand-in',
      version: '0.0.0',
      definition: definePlugin({ jobs: standInSteamJobs, module: StandInSteamModule }),
      jobTypes: [
        { id: 3000, localId: 0, name: 'FetchAppList', submittable: false },
        { id: 3001, localId: 1, name: 'ProcessAppList', submittable: false },
      ],
    },
  ],
});
const logger = createLogger({ level: 'silent' });

describe('metrics uploads', () => {
  it('summarises one number or name,value per line, skipping comments and reporting bad lines', () => {
    const output = processUpload({ storageId: 's', path: 'a.csv' }, '# header\nrequests,10\n20\n\nbad line\n30\n5,40\n');
    expect(output).toMatchObject({ samples: 4, sum: 100, min: 10, max: 40, mean: 25, p50: 20, p95: 40, skippedLines: [5] });
    expect(output.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('derives the same demo upload from the same path', () => {
    expect(demoUpload('x.csv')).toBe(demoUpload('x.csv'));
    expect(demoUpload('x.csv')).not.toBe(demoUpload('y.csv'));
    expect(processUpload({ storageId: 'demo', path: 'x.csv' }, demoUpload('x.csv')).samples).toBe(24);
  });

  it('refuses paths that leave the storage', () => {
    expect(() => uploadFile('/root', { storageId: 's', path: '../etc/passwd' })).toThrow(InvalidUploadError);
    expect(() => uploadFile('/root', { storageId: 's', path: '/etc/passwd' })).toThrow(InvalidUploadError);
    expect(() => uploadFile('/root', { storageId: '..', path: 'a' })).toThrow(InvalidUploadError);
    expect(uploadFile('/root', { storageId: 's', path: 'week/1.csv' })).toBe(path.join('/root', 's', 'week', '1.csv'));
  });

  it('fails the report with a clear message when a dependency has another shape', () => {
    expect(() =>
      buildWeeklyReport('t', [
        { type: 'steam.ProcessAppList', key: 'k', output: { count: 1 } },
        { type: 'email.SendVerificationEmail', key: 'k', output: { messageId: 'm', deliveredAt: 'd' } },
      ]),
    ).toThrow('steam.ProcessAppList:k output lacks total/unique/topWords');
  });
});

describe('metrics plugin on real Postgres', () => {
  let database: TestDatabase;
  let client: JobbyClient;
  let dataRoot: string;
  const workers: Worker[] = [];
  const startWorker = async (jobsMode: 'none' | 'local' = 'none') => {
    const worker = createWorker({ database, registry, logger, dataDirectory: dataRoot, pollIntervalMs: 100, workersMode: 'local', jobsMode });
    workers.push(worker);
    await worker.start();
    return worker;
  };

  beforeAll(async () => {
    database = await createTestDatabase({ backend: 'postgres' });
    client = createJobbyClient({ database, registry });
    dataRoot = await mkdtemp(path.join(os.tmpdir(), 'jobby-metrics-'));
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop({ graceMs: 100 })));
  });
  afterAll(async () => {
    await database?.close();
    if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
  });

  it('processes an upload from the storage directory', async () => {
    const directory = path.join(dataRoot, 'metrics', 'storage', 'bucket-1', 'week');
    await mkdir(directory, { recursive: true });
    await writeFile(path.join(directory, '1.csv'), 'a,1\nb,2\nc,3\n');
    await startWorker();
    await client.submit(metricsJobs.refs.ProcessMetricsUpload, 'u1', { storageId: 'bucket-1', path: 'week/1.csv' });
    const done = await until('the upload job', async () => {
      const job = await client.get(metricsJobs.refs.ProcessMetricsUpload, 'u1');
      return job?.state === 'succeeded' && job;
    });
    expect(done.output).toMatchObject({ storageId: 'bucket-1', path: 'week/1.csv', samples: 3, sum: 6, p50: 2 });
  });

  it('fails a missing upload at once, naming it', async () => {
    await startWorker();
    await client.submit(metricsJobs.refs.ProcessMetricsUpload, 'u2', { storageId: 'bucket-1', path: 'nope.csv' }, { maxAttempts: 4 });
    const failed = await until('the failed upload', async () => {
      const job = await client.get(metricsJobs.refs.ProcessMetricsUpload, 'u2');
      return job?.state === 'failed' && job;
    });
    expect(failed.attempts).toBe(1);
    expect(failed.lastError?.message).toContain('upload bucket-1:nope.csv not found');
  });

  it('runs the local-mode fan-in across steam, email and metrics jobs to success', async () => {
    await startWorker('local');
    const report = await until('metrics.BuildWeeklyReport:sentinel', async () => {
      const job = await client.get(metricsJobs.refs.BuildWeeklyReport, 'sentinel');
      return job?.state === 'succeeded' && job;
    });
    const upload = await client.get(metricsJobs.refs.ProcessMetricsUpload, 'sentinel');
    const output: WeeklyReportOutput = report.output!;
    expect(output).toEqual({
      title: 'Sentinel weekly report',
      apps: { total: 3, unique: 2, topWord: 'portal' },
      notification: { messageId: '<m1@test>', deliveredAt: '2024-01-01T00:00:00.000Z' },
      uploads: { count: 1, samples: 24, sum: upload!.output!.sum },
      sources: ['email.SendVerificationEmail:sentinel', 'metrics.ProcessMetricsUpload:sentinel', 'steam.ProcessAppList:sentinel'],
    });
  });
});
