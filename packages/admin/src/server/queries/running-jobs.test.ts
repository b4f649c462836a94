import { createJobStore, type JobStore } from '@jobby/core/store';
import { createTestDatabase, type TestDatabase } from '@jobby/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountsCache } from './job-counts.js';
import { listJobs, type JobListEnvironment, type JobListQuery } from './job-list.js';
import { createAdminTables } from './tables.js';

/**
 * Running jobs are not in jobs_admin_state_type_idx (migration 0005): the counts and the job list
 * read them through their own branch. These tests hold a mix of states of two types, with running
 * jobs between the others by id, and check that every plan still returns them, in order.
 */

const A = 1000;
const B = 1001;

describe('running jobs in the admin queries', () => {
  let database: TestDatabase;
  let store: JobStore;
  let environment: JobListEnvironment;
  /** id → [type, state], as set up below. */
  const expected = new Map<string, { typeId: number; state: string }>();

  beforeAll(async () => {
    database = await createTestDatabase({ backend: 'postgres' });
    store = createJobStore(database, { describeType: (id) => `type ${id}` });
    await store.jobTypeSync([
      { id: A, name: 'test.A' },
      { id: B, name: 'test.B' },
    ]);
    // Three waves of 6 jobs, alternating types; the first two waves are claimed (running), then
    // the first wave completes (succeeded): running ids sit between succeeded and queued ones.
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
        await store.jobCompleteMany(claimed.map((job) => ({ id: job.id, attemptToken: job.attemptToken, outputJson: null })));
        for (const job of claimed) expected.get(job.id)!.state = 'succeeded';
      }
    }
    const tables = createAdminTables(database.schema);
    environment = { tables, pool: database.pool, allTypeIds: async () => [A, B], keyRangeUsable: async () => true };
  });
  afterAll(async () => {
    await database?.close();
  });

  const expectedIds = (filter: (job: { typeId: number; state: string }) => boolean) =>
    [...expected.entries()]
      .filter(([, job]) => filter(job))
      .map(([id]) => id)
      .sort((a, b) => Number(b) - Number(a));
  const list = async (query: Partial<JobListQuery>) =>
    (await listJobs(environment, { timeField: 'created', sort: '-created', limit: 50, ...query })).rows.map((row) => String(row.id));

  it('lists running jobs alone, with other states, by type, newest first', async () => {
    expect(await list({ states: ['running'] })).toEqual(expectedIds((job) => job.state === 'running'));
    expect(await list({ states: ['running', 'queued', 'succeeded'] })).toEqual(expectedIds(() => true));
    expect(await list({ states: ['running', 'succeeded'], typeIds: [B] })).toEqual(
      expectedIds((job) => job.typeId === B && (job.state === 'running' || job.state === 'succeeded')),
    );
    // A type filter alone covers every state, running included.
    expect(await list({ typeIds: [A] })).toEqual(expectedIds((job) => job.typeId === A));
  });

  it('pages through running and other jobs with the keyset cursor, oldest first too', async () => {
    const all = expectedIds(() => true);
    const first = await listJobs(environment, { timeField: 'created', sort: '-created', limit: 7, typeIds: [A, B] });
    const second = await listJobs(environment, { timeField: 'created', sort: '-created', limit: 50, typeIds: [A, B], cursor: first.nextCursor });
    expect([...first.rows, ...second.rows].map((row) => String(row.id))).toEqual(all);
    expect(await list({ sort: 'created', states: ['queued', 'running'] })).toEqual(expectedIds((job) => job.state !== 'succeeded').reverse());
  });

  it('counts running jobs per type, live and from the split count of large tables', async () => {
    const tally = (rows: { typeId: number; state: string; count: number }[]) =>
      Object.fromEntries(rows.filter((row) => row.count > 0).map((row) => [`${row.typeId}:${row.state}`, row.count]));
    const want: Record<string, number> = {};
    for (const job of expected.values()) want[`${job.typeId}:${job.state}`] = (want[`${job.typeId}:${job.state}`] ?? 0) + 1;
    expect(want).toEqual({ '1000:succeeded': 3, '1001:succeeded': 3, '1000:running': 3, '1001:running': 3, '1000:queued': 3, '1001:queued': 3 });
    // Small table: one live count of everything.
    const small = await new CountsCache(database.pool, environment.tables).counts();
    expect(tally(small.rows)).toEqual(want);
    // "Large" table (threshold 0): live states in two branches, succeeded from the cache.
    const large = await new CountsCache(database.pool, environment.tables, { liveThreshold: -1 }).counts();
    expect(large.succeededCountedAt).toBeInstanceOf(Date);
    expect(tally(large.rows)).toEqual(want);
  });
});
