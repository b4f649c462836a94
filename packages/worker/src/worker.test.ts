import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCodegen } from '@jobby/codegen';
import { createJobbyClient, createLogger, createWorker, type JobbyClient, type Worker } from '@jobby/core';
import { createJobStore } from '@jobby/core/store';
import { createTestDatabase, type TestDatabase } from '@jobby/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from './index.js';
import { until as waitUntil } from '@jobby/core/testing';

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));

const until = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> =>
  waitUntil(what, probe, timeoutMs, 50);

describe('the generated worker program', () => {
  it('is up to date with the plugins and jobby.lock.json (jobby codegen --check)', async () => {
    const result = await runCodegen({ rootDir: repositoryRoot, check: true });
    expect(result.stale.map((entry) => entry.diff)).toEqual([]);
    expect(result.diagnostics).toEqual([]);
    expect(registry.jobTypes.map((type) => `${type.id} ${type.fullName}`)).toEqual([
      '1000 email.SendVerificationEmail',
      '2000 metrics.ProcessMetricsUpload',
      '2001 metrics.BuildWeeklyReport',
      '3000 steam.FetchAppList',
      '3001 steam.ProcessAppList',
    ]);
  });

  describe('on real Postgres, local mode', () => {
    let database: TestDatabase;
    let client: JobbyClient;
    let worker: Worker;
    let dataDirectory: string;

    beforeAll(async () => {
      database = await createTestDatabase({ backend: 'postgres' });
      client = createJobbyClient({ database, registry });
      dataDirectory = await mkdtemp(path.join(os.tmpdir(), 'jobby-worker-'));
    });
    afterAll(async () => {
      await worker?.stop({ graceMs: 100 });
      await database?.close();
      if (dataDirectory) await rm(dataDirectory, { recursive: true, force: true });
    });

    it('runs every startup job of the three plugins, including the cross-plugin fan-in, to success', async () => {
      worker = createWorker({ database, registry, logger: createLogger({ level: 'silent' }), dataDirectory, pollIntervalMs: 100, workersMode: 'local', jobsMode: 'local' });
      await worker.start();
      const report = await until('metrics.BuildWeeklyReport:sentinel', async () => {
        const job = await client.get('metrics.BuildWeeklyReport', 'sentinel');
        return job?.state === 'succeeded' && job;
      });
      const stats = await client.get('steam.ProcessAppList', 'sentinel');
      const email = await client.get('email.SendVerificationEmail', 'sentinel');
      // Typed through the generated JobTypeMap.
      const unique: number | undefined = stats?.output?.unique;
      expect(report.output).toMatchObject({
        apps: { total: 31, unique, topWord: 'half' },
        notification: { messageId: email!.output!.messageId },
        uploads: { count: 1, samples: 24 },
      });
      const all = await createJobStore(database).jobList({});
      expect(all.map((row) => (row.ok ? row.value.state : 'malformed'))).toEqual(Array(all.length).fill('succeeded'));
      expect(all).toHaveLength(5);
    });
  });
});
