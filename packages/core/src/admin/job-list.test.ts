import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobStore, type JobStore } from '../store/job-store.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../testing/test-database.js';
import { createJobAdmin, type JobAdmin } from './job-admin.js';
import type { JobListParams } from './job-list.js';

/**
 * Each state lives in its own table (queued and waiting in job_queue, running in job_running,
 * finished as outcomes): the list merges them, and the counts add them up. These tests hold a
 * mix of states of two types, with running jobs between the others by id, a failed job retried
 * (queued again, its failed outcome no longer its state) and a job re-run to success (two final
 * outcomes), and check that every plan returns each job once, in its current state, in order.
 */

const A = 1000;
const B = 1001;

describe.each(testBackends)('admin job list and counts on %s', (backend) => {
  let database: TestDatabase;
  let store: JobStore;
  let admin: JobAdmin;
  /** id → type and state, as set up below. */
  const expected = new Map<string, { typeId: number; state: string }>();
  let retriedId = '';

  beforeAll(async () => {
    database = await createTestDatabase({ backend });
    store = createJobStore(database, { describeType: (id) => `type ${id}` });
    admin = createJobAdmin(database);
    await store.jobTypeSync([
      { id: A, name: 'test.A' },
      { id: B, name: 'test.B' },
    ]);
    // Three waves of 6 jobs, alternating types; the first two waves are claimed (running), then
    // the first wave finishes: running ids sit between finished and queued ones.
    let failing: { id: string; attemptToken: string } | undefined;
    for (let wave = 0; wave < 3; wave++) {
      const enqueued = await store.jobEnqueueMany(
        Array.from({ length: 6 }, (_, index) => ({ typeId: index % 2 === 0 ? A : B, key: `w${wave}-${index}`, inputJson: '{}' })),
      );
      for (const job of enqueued) expected.set(job.id, { typeId: job.typeId, state: 'queued' });
      if (wave === 2) break;
      const claimed = await store.jobClaim({ workerId: 'w', typeIds: [A, B], limit: 6, leaseSeconds: 60 });
      expect(claimed).toHaveLength(6);
      for (const job of claimed) expected.get(job.id)!.state = 'running';
      if (wave === 0) {
        // One fails for good (retried by a person at the end); the others succeed.
        const rest = claimed.slice(1);
        failing = claimed[0]!;
        await store.jobFailMany([{ id: failing.id, attemptToken: failing.attemptToken, error: { code: 'X', message: 'boom' }, retryable: false }]);
        await store.jobCompleteMany(rest.map((job) => ({ id: job.id, attemptToken: job.attemptToken, outputJson: null })));
        for (const job of rest) expected.get(job.id)!.state = 'succeeded';
        // One is re-run and succeeds again: two final successes, listed once.
        const rerun = rest[0]!;
        await store.jobRerun(rerun.id);
        const [again] = await store.jobClaim({ workerId: 'w', typeIds: [A, B], limit: 1, leaseSeconds: 60 });
        expect(again?.id).toBe(rerun.id);
        await store.jobCompleteMany([{ id: again!.id, attemptToken: again!.attemptToken, outputJson: null }]);
      }
    }
    // The failed job, retried: queued again, its failed outcome no longer its state.
    await store.jobRetry(failing!.id);
    retriedId = failing!.id;
    expected.get(retriedId)!.state = 'queued';
  }, 120_000);
  afterAll(async () => {
    await database?.close();
  });

  const expectedIds = (filter: (job: { typeId: number; state: string }) => boolean) =>
    [...expected.entries()]
      .filter(([, job]) => filter(job))
      .map(([id]) => id)
      .sort((a, b) => Number(b) - Number(a));
  const list = async (params: Partial<JobListParams>) => (await admin.jobList({ limit: 50, ...params })).jobs.map((job) => job.id);

  it('lists each state from its table, alone and merged, by type, newest first', async () => {
    for (const state of ['queued', 'running', 'succeeded'] as const) {
      expect(await list({ states: [state] }), state).toEqual(expectedIds((job) => job.state === state));
    }
    expect(await list({ states: ['failed'] })).toEqual([]);
    expect(await list({ states: ['running', 'queued', 'succeeded'] })).toEqual(expectedIds(() => true));
    expect(await list({ states: ['running', 'succeeded'], typeIds: [B] })).toEqual(
      expectedIds((job) => job.typeId === B && (job.state === 'running' || job.state === 'succeeded')),
    );
    // A type filter alone covers every state; no filter at all walks the records.
    expect(await list({ typeIds: [A] })).toEqual(expectedIds((job) => job.typeId === A));
    expect(await list({})).toEqual(expectedIds(() => true));
    const page = await admin.jobList({ limit: 50 });
    expect(new Map(page.jobs.map((job) => [job.id, job.state]))).toEqual(new Map([...expected].map(([id, job]) => [id, job.state])));
  });

  it('pages with the keyset cursor, by creation and by finish time, oldest first too', async () => {
    const all = expectedIds(() => true);
    const first = await admin.jobList({ limit: 7, typeIds: [A, B], states: ['queued', 'waiting', 'running', 'succeeded', 'failed', 'cancelled'] });
    const second = await admin.jobList({ limit: 50, typeIds: [A, B], states: ['queued', 'waiting', 'running', 'succeeded', 'failed', 'cancelled'], cursor: first.nextCursor });
    expect([...first.jobs, ...second.jobs].map((job) => job.id)).toEqual(all);
    expect(second.nextCursor).toBeUndefined();
    expect(await list({ sort: 'created', states: ['queued', 'running'] })).toEqual(expectedIds((job) => job.state !== 'succeeded').reverse());
    // By finish time: only finished jobs, each once (the re-run one at its latest finish).
    const seen: string[] = [];
    let cursor: JobListParams['cursor'];
    do {
      const page = await admin.jobList({ limit: 2, sort: '-finished', cursor });
      const times = page.jobs.map((job) => job.finishedAt!.getTime());
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      seen.push(...page.jobs.map((job) => job.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(expectedIds((job) => job.state === 'succeeded').sort());
    expect(await list({ sort: 'finished', states: ['failed', 'cancelled'] })).toEqual([]);
  });

  it('filters by key prefix as a range of the identity index, and by created time', async () => {
    expect(await list({ keyPrefix: 'w1-' })).toHaveLength(6);
    expect(await list({ keyPrefix: 'w1-', states: ['running'] })).toHaveLength(6);
    expect(await list({ keyPrefix: 'w1_' })).toHaveLength(0);
    expect(await list({ from: new Date(Date.now() - 3_600_000) })).toHaveLength(expected.size);
    expect(await list({ from: new Date(Date.now() + 3_600_000) })).toHaveLength(0);
    expect(await admin.keyOrderedByBytes()).toBe(true);
  });

  it('counts live states from the hot tables and finishes from the rollups', async () => {
    const tally = (rows: { typeId: number; state: string; count: number }[]) => Object.fromEntries(rows.map((row) => [`${row.typeId}:${row.state}`, row.count]));
    // Live states as they are now; finished ones as finishes: the retried job's failure and
    // the re-run job's two successes all count.
    const live: Record<string, number> = {};
    for (const job of expected.values()) if (job.state !== 'succeeded') live[`${job.typeId}:${job.state}`] = (live[`${job.typeId}:${job.state}`] ?? 0) + 1;
    const counts = tally(await admin.jobCountByTypeAndState());
    expect(counts).toMatchObject(live);
    expect((counts['1000:succeeded'] ?? 0) + (counts['1001:succeeded'] ?? 0)).toBe(6);
    expect((counts['1000:failed'] ?? 0) + (counts['1001:failed'] ?? 0)).toBe(1);
    expect(tally(await admin.jobCountByTypeAndState({ typeIds: [B] }))).toEqual(Object.fromEntries(Object.entries(counts).filter(([key]) => key.startsWith('1001:'))));
  });

  it('reads a job with its attempts and neighbours, and the throughput from the rollups', async () => {
    // The retried job: queued again, its failed attempt in its history.
    const detail = await admin.jobDetail({ jobId: retriedId });
    expect(detail?.state).toBe('queued');
    expect((await admin.jobAttemptList({ jobId: retriedId })).map((attempt) => attempt.outcome)).toEqual(['failed']);
    expect(await admin.jobDetail({ jobId: '987654321' })).toBeUndefined();
    const throughput = await admin.jobThroughput({ window: '1h' });
    expect(throughput.buckets).toHaveLength(60);
    expect(throughput.buckets.reduce((sum, bucket) => sum + bucket.succeeded, 0)).toBe(6);
    expect(throughput.buckets.reduce((sum, bucket) => sum + bucket.failed, 0)).toBe(1);
    const stats = await admin.jobTypeStats({ typeId: A, sample: 100 });
    expect(stats.sampled).toBeGreaterThan(0);
  });
});
