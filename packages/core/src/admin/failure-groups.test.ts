import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobStore, type JobStore } from '../store/job-store.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../testing/test-database.js';
import { createJobAdmin, type JobAdmin } from './job-admin.js';

/** Failure triage: failed and retrying jobs grouped by type and error, and a group's members. */

const A = 1500;
const B = 1501;

describe.each(testBackends)('admin failure groups on %s', (backend) => {
  let database: TestDatabase;
  let store: JobStore;
  let admin: JobAdmin;

  beforeAll(async () => {
    database = await createTestDatabase({ backend });
    store = createJobStore(database, { describeType: (id) => `type ${id}` });
    admin = createJobAdmin(database);
    await store.jobTypeSync([
      { id: A, name: 'test.A' },
      { id: B, name: 'test.B' },
    ]);
  }, 120_000);
  afterAll(async () => {
    await database?.close();
  });

  it('groups failed and retrying jobs by type and error, and lists a group\'s jobs', async () => {
    const jobs = await store.jobEnqueueMany([
      ...Array.from({ length: 3 }, (_, index) => ({ typeId: A, key: `timeout-${index}`, inputJson: '{}', maxAttempts: 1 })),
      { typeId: A, key: 'other', inputJson: '{}', maxAttempts: 1 },
      { typeId: B, key: 'again', inputJson: '{}', maxAttempts: 5 },
      { typeId: B, key: 'fine', inputJson: '{}' },
    ]);
    const claimed = await store.jobClaim({ workerId: 'w', typeIds: [A, B], limit: 10, leaseSeconds: 60 });
    const byKey = new Map(claimed.map((job) => [job.key, job]));
    const fail = (key: string, message: string, retryable = false) => ({ id: byKey.get(key)!.id, attemptToken: byKey.get(key)!.attemptToken, error: { code: 'UPSTREAM', message }, retryable, backoffBaseMs: 3_600_000, backoffMaxMs: 3_600_000 });
    await store.jobFailMany([fail('timeout-0', 'upstream timed out'), fail('timeout-1', 'upstream timed out'), fail('timeout-2', 'upstream timed out'), fail('other', 'bad page'), fail('again', 'rate limited', true)]);
    await store.jobCompleteMany([{ id: byKey.get('fine')!.id, attemptToken: byKey.get('fine')!.attemptToken, outputJson: null }]);

    const groups = await admin.jobFailureGroups({ limit: 10 });
    expect(groups.map(({ typeId, state, code, message, count }) => ({ typeId, state, code, message, count }))).toEqual([
      { typeId: A, state: 'failed', code: 'UPSTREAM', message: 'upstream timed out', count: 3 },
      expect.objectContaining({ count: 1 }),
      expect.objectContaining({ count: 1 }),
    ]);
    expect(groups.slice(1).map((group) => `${group.typeId} ${group.state} ${group.message}`).sort()).toEqual([`${A} failed bad page`, `${B} retrying rate limited`]);
    expect(groups[0]!.firstSeenAt.getTime()).toBeLessThanOrEqual(groups[0]!.lastSeenAt.getTime());

    const ids = await admin.jobFailureGroupIds({ typeId: A, state: 'failed', code: 'UPSTREAM', message: 'upstream timed out', limit: 100 });
    expect(ids.sort()).toEqual(jobs.slice(0, 3).map((job) => job.id).sort());
    expect(await admin.jobFailureGroupIds({ typeId: B, state: 'retrying', code: 'UPSTREAM', message: 'rate limited', limit: 100 })).toEqual([jobs[4]!.id]);
    // Retried by a person: no longer failed, out of its group.
    await store.jobRetry(jobs[0]!.id);
    expect((await admin.jobFailureGroups({ limit: 10 }))[0]!.count).toBe(2);
  });
});
