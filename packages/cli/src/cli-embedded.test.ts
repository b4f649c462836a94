import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDetailJson, JobSummaryJson } from './job-json.js';
import { collect, runJobby, spawnJobby, until } from './testing/run-jobby.js';

/*
 * The embedded database: no DATABASE_URL. The worker owns the PGlite server; the CLI, started
 * while it runs (as while `npm start` runs), reaches the same database through that server.
 */
describe('on the embedded database', () => {
  let dataDirectory: string;
  let env: NodeJS.ProcessEnv;
  const jobby = (...args: string[]) => runJobby(args, { env });

  beforeAll(async () => {
    dataDirectory = await mkdtemp(path.join(os.tmpdir(), 'jobby-cli-embedded-'));
    env = { DATABASE_URL: '', JOBBY_SCHEMA: '', JOBBY_DATA_DIR: path.join(dataDirectory, 'data') };
  });
  afterAll(async () => {
    if (dataDirectory) await rm(dataDirectory, { recursive: true, force: true });
  });

  it('migrates, runs the sentinel workflow in a worker, and serves the CLI meanwhile', async () => {
    const migrated = await jobby('migrate');
    expect(migrated).toMatchObject({ code: 0, stdout: expect.stringMatching(/^jobby migrate: applied 0001_store_v2(, \d{4}_\w+)* and \d+ store definitions to the embedded database\n$/) });

    const worker = spawnJobby(['worker', '--workers-mode', 'local', '--jobs-mode', 'local'], { env });
    const exited = collect(worker);
    try {
      // The worker owns the embedded database before the CLI calls it, as `npm start` arranges: a
      // CLI process that finds no owner serves the database itself, and the worker would take it
      // over when the CLI exits (core's resolve-embedded-database.test.ts covers that handoff).
      const lockFile = `${path.join(dataDirectory, 'data')}.embedded.json`;
      await until('the worker to serve the embedded database', async () => JSON.parse(await readFile(lockFile, 'utf8').catch(() => '{}')).state === 'ready', 120_000);
      const processed = await until(
        'steam.ProcessAppList:sentinel',
        async () => {
          const shown = await jobby('jobs', 'show', 'steam.ProcessAppList', 'sentinel', '--json');
          if (shown.code !== 0) return false;
          const job = JSON.parse(shown.stdout) as JobDetailJson;
          return job.state === 'succeeded' && job;
        },
        150_000,
      );
      expect(processed).toMatchObject({ type: 'steam.ProcessAppList', key: 'sentinel', maxAttempts: 7, dependencies: [{ type: 'steam.FetchAppList', key: 'sentinel', state: 'succeeded' }] });
      const submitted = await jobby('submit', 'email.SendVerificationEmail', 'while-running', '--input', '{"address":"ada@example.test","verificationCode":"42"}');
      expect(submitted.code).toBe(0);
      await until('the submitted email', async () => {
        const listed = JSON.parse((await jobby('jobs', 'list', '--json', '--type', 'email.SendVerificationEmail', '--state', 'succeeded')).stdout) as JobSummaryJson[];
        return listed.some((job) => job.key === 'while-running');
      });
    } finally {
      worker.kill('SIGTERM');
    }
    expect((await exited).code).toBe(0);
  });
});
