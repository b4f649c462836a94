import { randomBytes } from 'node:crypto';
import { testPostgresUrl } from '@jobby/core/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDetailJson, JobSummaryJson } from './job-json.js';
import { runCli } from './program.js';
import { collect, runJobby, spawnJobby, untilJobFinal, type JobbyResult } from './testing/run-jobby.js';

/*
 * The CLI as users run it: the bin spawned as a child process against real Postgres, in a schema of
 * its own. Help and flag errors that need no registry run in-process (faster, same code).
 */

const schema = `cli_${randomBytes(5).toString('hex')}`;
const env = { DATABASE_URL: testPostgresUrl(), JOBBY_SCHEMA: schema };
const jobby = (...args: string[]) => runJobby(args, { env });

function inProcess(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  return runCli(argv, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), cwd: process.cwd() }).then((code) => ({ code, stdout, stderr }));
}

function expectUsageError(result: JobbyResult | { code: number; stdout: string; stderr: string }, message: string | RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
}

afterAll(async () => {
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
});

describe('help and usage errors', () => {
  it('has --help on every command, exit 0', async () => {
    for (const argv of [['--help'], ['codegen', '--help'], ['migrate', '--help'], ['worker', '--help'], ['admin', '--help'], ['submit', '--help'], ['jobs', '--help'], ['jobs', 'list', '--help'], ['jobs', 'show', '--help'], ['jobs', 'retry', '--help'], ['jobs', 'cancel', '--help'], ['jobs', 'rerun', '--help'], ['schedules', 'list', '--help']]) {
      const result = await inProcess(argv);
      expect(result.code, argv.join(' ')).toBe(0);
      expect(result.stdout, argv.join(' ')).toMatch(/^Usage: jobby/);
    }
    expect((await inProcess(['worker', '--help'])).stdout).toContain('--admin-port <port>');
    expect((await inProcess(['submit', '--help'])).stdout).toContain('--depends-on <type:key>');
  });

  it('reports bad flags as one line naming the command, exit 2', async () => {
    expectUsageError(await inProcess(['jobs', 'list', '--bogus']), /^jobby jobs list: unknown option '--bogus'$/);
    expectUsageError(await inProcess(['jobs', 'list', '--state', 'done']), /^jobby jobs list: --state must be one of queued, waiting, running, succeeded, failed, cancelled; got "done"$/);
    expectUsageError(await inProcess(['jobs', 'list', '--limit', '0']), /^jobby jobs list: --limit must be an integer from 1 to 1000, got "0"$/);
    expectUsageError(await inProcess(['submit', 'steam.FetchAppList']), /^jobby submit: missing required argument 'key'$/);
    expectUsageError(await inProcess(['submit', 'steam.FetchAppList', 'k', '--input', '{"url":']), /^jobby submit: --input is not valid JSON: /);
    // One priority range everywhere: the store's (and the admin API's) −1,000,000..1,000,000.
    expectUsageError(await inProcess(['submit', 'steam.FetchAppList', 'k', '--priority', '2000000']), /^jobby submit: --priority must be an integer from -1000000 to 1000000, got "2000000"$/);
    expectUsageError(await inProcess(['submit', 'steam.FetchAppList', 'k', '--priority', '1.5']), /^jobby submit: --priority must be an integer from -1000000 to 1000000, got "1.5"$/);
    expectUsageError(await inProcess(['submit', 'steam.FetchAppList', 'k', '--run-at', 'tomorrow']), /^jobby submit: --run-at must be an ISO 8601 time/);
    expectUsageError(await inProcess(['submit', 'steam.FetchAppList', 'k', '--depends-on', 'steam.FetchAppList']), /^jobby submit: --depends-on must be plugin.Job:key/);
    expectUsageError(await inProcess(['worker', '--jobs-mode', 'everything']), /^jobby worker: --jobs-mode must be none, local or production, got "everything"$/);
    expectUsageError(await inProcess(['worker', '--admin-port', 'x']), /^jobby worker: --admin-port must be an integer from 0 to 65535/);
    expectUsageError(await inProcess(['nope']), /^jobby: unknown command 'nope'/);
    expectUsageError(await inProcess(['admin', '--host', 'a b']), /^jobby admin: --host must be an address to listen on/);
  });

  it('refuses to serve the admin beyond loopback without a token, saying what to set (issue 20)', async () => {
    const saved = [process.env.JOBBY_ADMIN_TOKEN, process.env.JOBBY_ADMIN_READ_TOKEN] as const;
    delete process.env.JOBBY_ADMIN_TOKEN;
    delete process.env.JOBBY_ADMIN_READ_TOKEN;
    try {
      expectUsageError(await inProcess(['admin', '--host', '0.0.0.0', '--port', '0']), /^jobby admin: .*0\.0\.0\.0, beyond loopback, without a token: set JOBBY_ADMIN_READ_TOKEN .*JOBBY_ADMIN_TOKEN/);
    } finally {
      if (saved[0] !== undefined) process.env.JOBBY_ADMIN_TOKEN = saved[0];
      if (saved[1] !== undefined) process.env.JOBBY_ADMIN_READ_TOKEN = saved[1];
    }
    expect((await inProcess(['admin', '--help'])).stdout).toContain('--host <address>');
    process.env.JOBBY_ADMIN_STATEMENT_TIMEOUT_MS = '5s';
    try {
      expectUsageError(await inProcess(['admin', '--port', '0']), /^jobby admin: JOBBY_ADMIN_STATEMENT_TIMEOUT_MS must be an integer from 0 to 2147483647, got "5s"$/);
    } finally {
      delete process.env.JOBBY_ADMIN_STATEMENT_TIMEOUT_MS;
    }
  });
});

describe('against Postgres (child processes)', () => {
  beforeAll(async () => {
    const migrated = await jobby('migrate');
    expect(migrated).toMatchObject({ code: 0, stderr: '' });
    expect(migrated.stdout).toMatch(new RegExp(`^jobby migrate: applied 0001_store_v2(, \\d{4}_\\w+)* and \\d+ store definitions to schema "${schema}"\n$`));
  });

  it('refuses unknown types, unsubmittable types and schema-invalid payloads with exit 2, writing nothing', async () => {
    const [unknown, unknownDependency, invalid, unsubmittable, missingDependency] = await Promise.all([
      jobby('submit', 'steam.Nope', 'k'),
      jobby('submit', 'steam.ProcessAppList', 'k', '--depends-on', 'steam.Fetch:k'),
      jobby('submit', 'email.SendVerificationEmail', 'k', '--input', '{"address":"a@b.c"}'),
      jobby('submit', 'metrics.BuildWeeklyReport', 'k', '--input', '{"title":"t"}'),
      jobby('submit', 'steam.ProcessAppList', 'k', '--depends-on', 'steam.FetchAppList:absent'),
    ]);
    expectUsageError(unknown, /^jobby submit: <type>: unknown job type "steam.Nope"; known: email.SendVerificationEmail, /);
    expectUsageError(unknownDependency, /^jobby submit: --depends-on: unknown job type "steam.Fetch"/);
    expectUsageError(invalid, "jobby submit: --input: input of email.SendVerificationEmail does not match its schema: / must have required property 'verificationCode'");
    expectUsageError(unsubmittable, /^jobby submit: metrics.BuildWeeklyReport is not submittable/);
    expectUsageError(missingDependency, /^jobby submit: --depends-on: steam.ProcessAppList:k depends on steam.FetchAppList:absent, which does not exist$/);
    const listed = await jobby('jobs', 'list', '--json');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  it('submits a workflow, runs it with jobby worker, and shows it as JSON; SIGTERM stops the worker with exit 0', async () => {
    const fetch = await jobby('submit', 'steam.FetchAppList', 'cli', '--json');
    expect(fetch.code).toBe(0);
    expect(JSON.parse(fetch.stdout)).toMatchObject({ type: 'steam.FetchAppList', key: 'cli', state: 'queued', created: true });
    const process = await jobby('submit', 'steam.ProcessAppList', 'cli:with:colons', '--input', '{"topWords":2}', '--depends-on', 'steam.FetchAppList:cli', '--max-attempts', '3');
    expect(process).toMatchObject({ code: 0, stderr: '' });
    expect(process.stdout).toMatch(/^submitted steam.ProcessAppList:cli:with:colons \(id \d+, waiting\)\n$/);
    expect((await jobby('submit', 'steam.FetchAppList', 'cli')).stdout).toMatch(/^already exists: steam.FetchAppList:cli/);

    const worker = spawnJobby(['worker', '--jobs-mode', 'none', '--concurrency', '2'], { env });
    const exited = collect(worker);
    try {
      expect(await untilJobFinal(env, 'steam.ProcessAppList', 'cli:with:colons')).toBe('succeeded');
      const detail = JSON.parse((await jobby('jobs', 'show', 'steam.ProcessAppList', 'cli:with:colons', '--json')).stdout) as JobDetailJson;
      expect(detail).toMatchObject({
        type: 'steam.ProcessAppList',
        key: 'cli:with:colons',
        state: 'succeeded',
        attempts: 1,
        maxAttempts: 3,
        input: { topWords: 2 },
        output: { total: 31, unique: 30, topWords: [{ word: 'half', count: 11 }, { word: 'life', count: 11 }] },
        attemptHistory: [],
        dependencies: [{ type: 'steam.FetchAppList', key: 'cli', state: 'succeeded' }],
        dependents: [],
      });
      expect(detail.timings.runTimeMs).toBeGreaterThanOrEqual(0);
      expect(detail.timings.queueDelayMs).toBeGreaterThanOrEqual(0);
      expect(Object.keys(detail).sort()).toEqual(
        ['attemptHistory', 'attempts', 'createdAt', 'dependencies', 'dependents', 'finishedAt', 'id', 'input', 'inputBytes', 'key', 'lastError', 'maxAttempts', 'output', 'outputBytes', 'priority', 'state', 'timings', 'type', 'workerId'].sort(),
      );
    } finally {
      worker.kill('SIGTERM');
    }
    const stopped = await exited;
    expect(stopped.code).toBe(0);

    const listed = await jobby('jobs', 'list', '--json', '--state', 'succeeded', '--type', 'steam.FetchAppList');
    const rows = JSON.parse(listed.stdout) as JobSummaryJson[];
    expect(rows).toEqual([
      expect.objectContaining({ type: 'steam.FetchAppList', key: 'cli', state: 'succeeded', attempts: 1, maxAttempts: 25, lastError: null }),
    ]);
  });

  it('controls jobs: cancel, retry and rerun, exit 1 when there is nothing to do, exit 1 for a job that does not exist', async () => {
    expect((await jobby('submit', 'email.SendVerificationEmail', 'later', '--input', '{"address":"a@b.co","verificationCode":"1"}', '--run-at', '2099-01-01T00:00:00Z', '--priority', '-1000000')).code).toBe(0);
    expect(JSON.parse((await jobby('jobs', 'show', 'email.SendVerificationEmail', 'later', '--json')).stdout)).toMatchObject({ priority: -1_000_000 });
    const cancelled = await jobby('jobs', 'cancel', 'email.SendVerificationEmail', 'later', '--json');
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ type: 'email.SendVerificationEmail', key: 'later', changed: true });
    // Cancelling again must come before the retry (run together, the retry could requeue it first).
    const again = await jobby('jobs', 'cancel', 'email.SendVerificationEmail', 'later');
    const [retried, missing] = await Promise.all([
      jobby('jobs', 'retry', 'email.SendVerificationEmail', 'later'),
      jobby('jobs', 'show', 'email.SendVerificationEmail', 'nobody'),
    ]);
    expect(again.code).toBe(1);
    expect(retried).toMatchObject({ code: 0 });
    expect(retried.stdout).toBe('retried email.SendVerificationEmail:later (1 job)\n');
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: 'jobby jobs show: job email.SendVerificationEmail:nobody does not exist\n' });
    const rerun = await jobby('jobs', 'rerun', 'steam.FetchAppList', 'cli', '--json');
    expect(JSON.parse(rerun.stdout)).toMatchObject({ changed: true, jobs: [expect.any(String), expect.any(String)] });
    const states = JSON.parse((await jobby('jobs', 'list', '--json', '--type', 'steam.ProcessAppList')).stdout) as JobSummaryJson[];
    expect(states.map((row) => row.state)).toEqual(['waiting']);
  });

  it('pauses, limits and resumes a job type with jobby types, exit 2 for a bad limit or an unknown type (issue 19)', async () => {
    const paused = await jobby('types', 'pause', 'metrics.BuildWeeklyReport', '--json');
    expect(paused).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(paused.stdout)).toMatchObject({ type: 'metrics.BuildWeeklyReport', paused: true, concurrency: null });
    expect(JSON.parse((await jobby('types', 'limit', 'metrics.BuildWeeklyReport', '2', '--json')).stdout)).toMatchObject({ paused: true, concurrency: 2 });
    // Flag errors are found before the registry or the database is read: in-process (the same code, no spawn).
    const [badLimit, unknown] = await Promise.all([inProcess(['types', 'limit', 'metrics.BuildWeeklyReport', '0']), jobby('types', 'pause', 'nope.Nope')]);
    expect(badLimit).toMatchObject({ code: 2, stderr: 'jobby types limit: <concurrency> must be an integer from 1 to 1000000, got "0"\n' });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown job type "nope.Nope"');
    const listed = JSON.parse((await jobby('types', 'list', '--json')).stdout) as { type: string; paused: boolean; concurrency: number | null }[];
    expect(listed.find((row) => row.type === 'metrics.BuildWeeklyReport')).toMatchObject({ paused: true, concurrency: 2 });
    expect((await jobby('types', 'resume', 'metrics.BuildWeeklyReport')).stdout).toBe('metrics.BuildWeeklyReport: running, at most 2 at once\n');
    expect((await jobby('types', 'limit', 'metrics.BuildWeeklyReport', 'none')).stdout).toBe('metrics.BuildWeeklyReport: running, no limit\n');
    // A rate limit: starts per interval, alone or with a concurrency limit; "none" removes it.
    expect(JSON.parse((await jobby('types', 'limit', 'metrics.BuildWeeklyReport', '--rate', '20/1s', '--json')).stdout)).toMatchObject({
      concurrency: null, rate: { limit: 20, intervalMs: 1_000 } });
    expect((await jobby('types', 'limit', 'metrics.BuildWeeklyReport', '3', '--rate', '5/250ms')).stdout).toBe('metrics.BuildWeeklyReport: running, at most 3 at once, at most 5 starts per 250 ms\n');
    const [badRate, noLimit] = [await inProcess(['types', 'limit', 'metrics.BuildWeeklyReport', '--rate', '20 per second']), await inProcess(['types', 'limit', 'metrics.BuildWeeklyReport'])];
    expect(badRate.code).toBe(2);
    expect(badRate.stderr).toContain('--rate must be <limit>/<interval>');
    expect(noLimit.code).toBe(2);
    expect(noLimit.stderr).toContain('give a limit');
    expect((await jobby('types', 'limit', 'metrics.BuildWeeklyReport', 'none', '--rate', 'none')).stdout).toBe('metrics.BuildWeeklyReport: running, no limit\n');
    // A group limit needs a group key; --clear puts the code's limits (none here) back in force.
    const noGroupKey = await jobby('types', 'limit', 'metrics.BuildWeeklyReport', '--group', '2');
    expect(noGroupKey.code).toBe(2);
    expect(noGroupKey.stderr).toContain('has no group key');
    expect(JSON.parse((await jobby('types', 'limit', 'metrics.BuildWeeklyReport', '4', '--json')).stdout)).toMatchObject({
      concurrency: 4, groupConcurrency: null, declared: { concurrency: null }, declaredFrom: null, sources: { concurrency: 'run-time' } });
    expect(JSON.parse((await jobby('types', 'limit', 'metrics.BuildWeeklyReport', '--clear', '--json')).stdout)).toMatchObject({ concurrency: null, sources: { concurrency: null } });
  });

  it('lists schedules with their next and last fire times, removed ones too (issue 19)', async () => {
    // Before any worker declared it, steam's nightly schedule is known from the generated registry.
    const nightly = { type: 'steam.FetchAppList', name: 'nightly', cron: '0 3 * * *', timezone: 'Europe/Berlin', catchUp: 'last', state: 'not-started', nextFireAt: expect.any(String), lastFireAt: null, removedAt: null };
    expect(JSON.parse((await jobby('schedules', 'list', '--json')).stdout)).toEqual([nightly]);
    // As workers record them (scheduler.ts): one declared and fired, one removed from code.
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    try {
      await client.query(`insert into ${schema}.job_types (id, name) values (999001, 'clitest.Report') on conflict do nothing`);
      await client.query(`insert into ${schema}.job_schedules (type_id, name, cron, timezone, catch_up, decided_until, last_fire_at, removed_at) values
        (999001, 'weekly', '0 7 * * 1', 'Europe/Berlin', 'last', '2026-11-30T06:00:00Z', '2026-11-30T06:00:00Z', null),
        (999001, 'old', '*/5 * * * * *', 'UTC', 'up-to-3', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z')`);
    } finally {
      await client.end();
    }
    const listed = await jobby('schedules', 'list', '--json');
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    const rows = JSON.parse(listed.stdout) as { type: string; name: string; nextFireAt: string | null }[];
    expect(rows).toEqual([
      { type: 'clitest.Report', name: 'old', cron: '*/5 * * * * *', timezone: 'UTC', catchUp: 'up-to-3', state: 'removed', nextFireAt: null, lastFireAt: '2026-11-01T00:00:00.000Z', removedAt: '2026-11-02T00:00:00.000Z' },
      { type: 'clitest.Report', name: 'weekly', cron: '0 7 * * 1', timezone: 'Europe/Berlin', catchUp: 'last', state: 'active', nextFireAt: expect.any(String), lastFireAt: '2026-11-30T06:00:00.000Z', removedAt: null },
      nightly,
    ]);
    // Monday 07:00 in Berlin: 06:00 UTC in winter, 05:00 UTC in summer.
    const next = new Date(rows[1]!.nextFireAt!);
    expect(next.getUTCDay()).toBe(1);
    expect([5, 6]).toContain(next.getUTCHours());
    expect(next.getTime()).toBeGreaterThan(Date.now());
    const text = (await jobby('schedules', 'list')).stdout;
    expect(text).toContain('clitest.Report/weekly  "0 7 * * 1" Europe/Berlin, catch-up last  next ');
    expect(text).toContain('clitest.Report/old  "*/5 * * * * *" UTC, catch-up up-to-3  removed at 2026-11-02T00:00:00.000Z (no longer declared in code)');
    expect(text).toMatch(/steam\.FetchAppList\/nightly {2}"0 3 \* \* \*" Europe\/Berlin, catch-up last {2}next \S+ once a worker runs it \(not started\)/);
  });
});
