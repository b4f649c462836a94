import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobStore, type JobStore } from '../store/job-store.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../testing/test-database.js';
import { createJobAdmin, type JobAdmin } from './job-admin.js';

/**
 * Queued jobs are of three kinds an operator tells apart: scheduled (waiting for their run-at
 * time, never run), retrying (ran before: in backoff or due again) and plain due ones. The list
 * filters the first two from job_queue, with and without a key prefix.
 */

const A = 1100;

describe.each(testBackends)('admin job list of scheduled and retrying jobs on %s', (backend) => {
  let database: TestDatabase;
  let store: JobStore;
  let admin: JobAdmin;
  const ids: Record<'due' | 'scheduled' | 'retrying', string> = { due: '', scheduled: '', retrying: '' };

  beforeAll(async () => {
    database = await createTestDatabase({ backend });
    store = createJobStore(database, { describeType: (id) => `type ${id}` });
    admin = createJobAdmin(database);
    await store.jobTypeSync([{ id: A, name: 'test.A' }]);
    const [retrying] = await store.jobEnqueueMany([{ typeId: A, key: 'k-retrying', inputJson: '{}', maxAttempts: 3 }]);
    const [claimed] = await store.jobClaim({ workerId: 'w', typeIds: [A], limit: 1, leaseSeconds: 60 });
    await store.jobFailMany([{ id: claimed!.id, attemptToken: claimed!.attemptToken, error: { code: 'X', message: 'boom' }, retryable: true, backoffBaseMs: 3_600_000, backoffMaxMs: 3_600_000 }]);
    const [due, scheduled] = await store.jobEnqueueMany([
      { typeId: A, key: 'k-due', inputJson: '{}' },
      { typeId: A, key: 'k-scheduled', inputJson: '{}', runAt: new Date(Date.now() + 3 * 3_600_000) },
    ]);
    Object.assign(ids, { due: due!.id, scheduled: scheduled!.id, retrying: retrying!.id });
  }, 120_000);
  afterAll(async () => {
    await database?.close();
  });

  const list = async (queued?: 'scheduled' | 'retrying', keyPrefix?: string) => (await admin.jobList({ states: ['queued'], queued, keyPrefix, limit: 50 })).jobs.map((job) => job.id);

  it('lists scheduled and retrying jobs apart from due ones', async () => {
    expect(await list()).toEqual([ids.scheduled, ids.due, ids.retrying]);
    expect(await list('scheduled')).toEqual([ids.scheduled]);
    expect(await list('retrying')).toEqual([ids.retrying]);
    expect(await list('scheduled', 'k-')).toEqual([ids.scheduled]);
    expect(await list('retrying', 'k-')).toEqual([ids.retrying]);
    expect(await list('retrying', 'k-due')).toEqual([]);
  });

  it('refuses the queued filter with other states', async () => {
    await expect(admin.jobList({ states: ['queued', 'failed'], queued: 'scheduled', limit: 5 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
