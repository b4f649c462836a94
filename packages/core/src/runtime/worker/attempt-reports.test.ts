import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobAdmin, type JobAdmin } from '../../admin/index.js';
import { createJobStore } from '../../store/job-store.js';
import { demoJobs, demoRegistry } from '../../testing/demo-plugin.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { until } from '../../testing/until.js';
import { createJobbyClient, type JobbyClient } from '../client.js';
import { maxLogLines } from './attempt-reports.js';
import { createWorker, type Worker } from './worker.js';

/**
 * Progress and log lines from handlers (issue 20), with a real worker: written while the attempt
 * runs, bounded, kept with the attempt after it ends, and gone with the job; a handler that reports
 * nothing writes nothing. The demo Sleep job reports when its input asks (testing/demo-plugin.ts).
 * On Postgres only: the store's part (job_report_many and the outcome's copy) runs on both
 * backends in job-store.test.ts, and a worker on PGlite would add its start-up to CI for nothing new.
 */
describe('progress and log lines of attempts', () => {
  const backend = 'postgres';
  let database: TestDatabase;
  let client: JobbyClient;
  let admin: JobAdmin;
  let worker: Worker;
  const idOf = async (key: string) => (await client.get(demoJobs.refs.Sleep, key))!.id;
  const logRows = (jobId: string) =>
    sql<{ n: number }>`select count(*)::int as n from ${sql.table(`${database.schema}.job_logs`)} where job_id = ${jobId}::bigint`.execute(database.db);

  beforeAll(async () => {
    database = await createTestDatabase({ backend });
    client = createJobbyClient({ database, registry: demoRegistry });
    admin = createJobAdmin(database);
    worker = createWorker({ database, registry: demoRegistry, logger: pino({ level: 'silent' }), concurrency: 4, pollIntervalMs: 100 });
    await worker.start();
  });
  afterAll(async () => {
    await worker?.stop({ graceMs: 100 });
    await database?.close();
  });

  it('shows progress and lines while the attempt runs, bounds the lines, and keeps both with the attempt', async () => {
    await client.submit(demoJobs.refs.Sleep, 'reported', { ms: 2_000, report: { lines: maxLogLines + 200 } });
    await client.submit(demoJobs.refs.Sleep, 'silent', { ms: 10 });
    const id = await idOf('reported');

    // While it sleeps: the first write came within ~500 ms of the calls.
    await until('the running attempt to show its progress', async () => (await admin.jobRunningProgress({ jobIds: [id] }))[0]?.progress === 0.5, 3_000, 50);
    expect(await admin.jobRunningProgress({ jobIds: [id] })).toEqual([{ jobId: id, progress: 0.5, message: 'halfway' }]);
    expect(await admin.jobAttemptList({ jobId: id })).toMatchObject([{ outcome: 'running', progress: 0.5, progressMessage: 'halfway' }]);
    const live = await admin.jobLogList({ jobId: id });
    // 1,000 lines, then the marker; the other 200 were refused.
    expect(live.total).toBe(maxLogLines + 1);
    expect(live.lines[0]).toMatchObject({ attempt: 1, attemptNumber: 1, line: 1, level: 'info', message: 'line 1 of attempt 1', data: { ms: 2_000 } });
    expect(live.lines[maxLogLines - 1]).toMatchObject({ line: maxLogLines, message: `line ${maxLogLines} of attempt 1`, data: null });
    expect(live.lines[maxLogLines]).toMatchObject({ line: maxLogLines + 1, level: 'warn', message: expect.stringContaining('log limit reached') as string });
    expect(live.lines[0]!.at).toBeInstanceOf(Date);

    // After: the final progress is the outcome's; the lines stay (the one after the marker is refused).
    await until('the job to succeed', async () => (await client.get(demoJobs.refs.Sleep, 'reported'))?.state === 'succeeded', 5_000, 50);
    expect(await admin.jobAttemptList({ jobId: id })).toMatchObject([{ outcome: 'succeeded', progress: 1, progressMessage: 'done' }]);
    expect((await admin.jobLogList({ jobId: id })).total).toBe(maxLogLines + 1);
    expect(await admin.jobLogList({ jobId: id, limit: 2 })).toMatchObject({ total: maxLogLines + 1, lines: [{ line: maxLogLines }, { line: maxLogLines + 1 }] });
    expect(await admin.jobRunningProgress({ jobIds: [id] })).toEqual([]);

    // A handler that reports nothing wrote nothing.
    await until('the silent job to succeed', async () => (await client.get(demoJobs.refs.Sleep, 'silent'))?.state === 'succeeded', 5_000, 20);
    const silent = await idOf('silent');
    expect(await admin.jobAttemptList({ jobId: silent })).toMatchObject([{ outcome: 'succeeded', progress: null, progressMessage: null }]);
    expect((await logRows(silent)).rows[0]!.n).toBe(0);
  });

  it('fails the attempt on an invalid progress, and keeps the lines of each run of an attempt number apart', async () => {
    await client.submit(demoJobs.refs.Sleep, 'invalid', { ms: 0, report: { progress: 1.5 } }, { maxAttempts: 1 });
    const id = await idOf('invalid');
    await until('the job to fail', async () => (await client.get(demoJobs.refs.Sleep, 'invalid'))?.state === 'failed', 5_000, 20);
    const attempts = await admin.jobAttemptList({ jobId: id });
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('progress takes a fraction from 0 to 1') as string });
    // A person's retry counts attempts from 1 again: its line belongs to the second attempt row, not the first.
    await createJobStore(database).jobRetry(id);
    await until('the retried job to fail', async () => (await admin.jobAttemptList({ jobId: id }))[1]?.outcome === 'failed', 5_000, 20);
    const { lines } = await admin.jobLogList({ jobId: id });
    expect(lines.map((line) => [line.attempt, line.attemptNumber, line.message])).toEqual([
      [1, 1, 'line 1 of attempt 1'],
      [1, 2, 'line 1 of attempt 1'],
    ]);
  });

  it('deletes the lines with the job: an ephemeral success at once, a pruned job with its history', async () => {
    await client.submit(demoJobs.refs.Sleep, 'ephemeral', { ms: 0, report: {} }, { retentionSeconds: 0 });
    await client.submit(demoJobs.refs.Sleep, 'expiring', { ms: 0, report: {} }, { retentionSeconds: 3_600 });
    const [ephemeral, expiring] = [await idOf('ephemeral'), await idOf('expiring')];
    await until('both to finish', async () => (await client.get(demoJobs.refs.Sleep, 'ephemeral')) === undefined && (await client.get(demoJobs.refs.Sleep, 'expiring'))?.state === 'succeeded', 5_000, 20);
    expect((await logRows(ephemeral)).rows[0]!.n).toBe(0);
    expect((await logRows(expiring)).rows[0]!.n).toBe(2);
    await sql`update ${sql.table(`${database.schema}.job_outcomes`)} set expires_at = now() - interval '1 second' where job_id = ${expiring}::bigint`.execute(database.db);
    expect(await createJobStore(database).jobPruneExpired()).toBeGreaterThanOrEqual(1);
    expect((await logRows(expiring)).rows[0]!.n).toBe(0);
  });
});
