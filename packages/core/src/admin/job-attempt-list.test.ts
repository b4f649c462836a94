import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobStore, type JobStore } from '../store/job-store.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../testing/test-database.js';
import { createJobAdmin, type JobAdmin } from './job-admin.js';

/**
 * A job's attempts numbered as an operator reads them: a person's retry starts the attempt budget
 * again (`attempt` 1), but `number` keeps counting, so no two rows read "#1"; a hand-back repeats
 * its attempt number within the same cycle.
 */

const A = 1200;

describe.each(testBackends)('admin attempt list on %s', (backend) => {
  let database: TestDatabase;
  let store: JobStore;
  let admin: JobAdmin;

  beforeAll(async () => {
    database = await createTestDatabase({ backend });
    store = createJobStore(database, { describeType: (id) => `type ${id}` });
    admin = createJobAdmin(database);
    await store.jobTypeSync([{ id: A, name: 'test.A' }]);
  }, 120_000);
  afterAll(async () => {
    await database?.close();
  });

  const claim = async () => {
    const [claimed] = await store.jobClaim({ workerId: 'w', typeIds: [A], limit: 1, leaseSeconds: 60 });
    return claimed!;
  };

  it('numbers attempts across a retry by hand, in cycles, with a hand-back inside one', async () => {
    const [job] = await store.jobEnqueueMany([{ typeId: A, key: 'numbered', inputJson: '{}', maxAttempts: 2 }]);
    const first = await claim();
    await store.jobFailMany([{ id: first.id, attemptToken: first.attemptToken, error: { code: 'X', message: 'one' }, retryable: true, backoffBaseMs: 0, backoffMaxMs: 0 }]);
    const second = await claim();
    await store.jobFailMany([{ id: second.id, attemptToken: second.attemptToken, error: { code: 'X', message: 'two' }, retryable: true }]);
    await store.jobRetry(job!.id);
    const third = await claim();
    await store.jobHandBack([{ id: third.id, attemptToken: third.attemptToken }]);
    const fourth = await claim();
    await store.jobCompleteMany([{ id: fourth.id, attemptToken: fourth.attemptToken, outputJson: null }]);

    const attempts = await admin.jobAttemptList({ jobId: job!.id });
    expect(attempts.map(({ number, attempt, cycle, outcome }) => ({ number, attempt, cycle, outcome }))).toEqual([
      { number: 1, attempt: 1, cycle: 1, outcome: 'failed' },
      { number: 2, attempt: 2, cycle: 1, outcome: 'failed' },
      { number: 3, attempt: 1, cycle: 2, outcome: 'handed_back' },
      { number: 4, attempt: 1, cycle: 2, outcome: 'succeeded' },
    ]);
  });
});
