import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobStore, type JobStore } from '../store/job-store.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../testing/test-database.js';
import { jobChanges } from './job-change-cursor.js';
import { createJobAdmin, type JobAdmin } from './job-admin.js';

/** Queue health per type from job_queue, job_running and the job_stats rollups. */

const A = 1400;
const B = 1401;

describe.each(testBackends)('admin queue health on %s', (backend) => {
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

  it('counts due, scheduled, retrying and running jobs, the oldest due, pickup and the last hour', async () => {
    await store.jobEnqueueMany([
      { typeId: A, key: 'fails', inputJson: '{}', maxAttempts: 1 },
      { typeId: A, key: 'retries', inputJson: '{}', maxAttempts: 3 },
      { typeId: A, key: 'runs', inputJson: '{}' },
    ]);
    const claimed = await store.jobClaim({ workerId: 'w', typeIds: [A], limit: 3, leaseSeconds: 60 });
    expect(claimed).toHaveLength(3);
    const byKey = new Map(claimed.map((job) => [job.key, job]));
    await store.jobFailMany([
      { id: byKey.get('fails')!.id, attemptToken: byKey.get('fails')!.attemptToken, error: { code: 'X', message: 'boom' }, retryable: false },
      { id: byKey.get('retries')!.id, attemptToken: byKey.get('retries')!.attemptToken, error: { code: 'X', message: 'again' }, retryable: true, backoffBaseMs: 3_600_000, backoffMaxMs: 3_600_000 },
    ]);
    await store.jobEnqueueMany([
      { typeId: A, key: 'due-1', inputJson: '{}' },
      { typeId: A, key: 'due-2', inputJson: '{}' },
      { typeId: A, key: 'later', inputJson: '{}', runAt: new Date(Date.now() + 3_600_000) },
    ]);

    const { now, types } = await admin.jobQueueHealth();
    expect(types.map((type) => type.typeId)).toEqual([A]);
    const health = types[0]!;
    expect(health).toMatchObject({ due: 2, scheduled: 1, retrying: 1, waiting: 0, running: 1 });
    expect(health.oldestDueReadyAt!.getTime()).toBeLessThanOrEqual(now.getTime());
    expect(now.getTime() - health.oldestDueReadyAt!.getTime()).toBeLessThan(60_000);
    expect(health.pickupMs).toBeGreaterThanOrEqual(0);
    expect(health.pickupMs).toBeLessThan(60_000);
    expect(health.lastHour).toHaveLength(12);
    const totals = health.lastHour.reduce((sum, bucket) => ({ failed: sum.failed + bucket.failed, retried: sum.retried + bucket.retried }), { failed: 0, retried: 0 });
    expect(totals).toEqual({ failed: 1, retried: 1 });
    expect(health.lastHour.at(-1)!.failed + health.lastHour.at(-2)!.failed).toBe(1);
  });

  // The change cursor (job-change-cursor.ts) beside queue health: the same tables, the same set-up.
  it('says what moved: jobs on submit and claim, the type on a finish, controls on a change; nothing when idle', async () => {
    const start = await admin.jobChangeCursor();
    expect(jobChanges(start, await admin.jobChangeCursor())).toEqual({ jobs: false, typeIds: [], controls: false, actions: false });
    await store.jobEnqueueMany([{ typeId: A, key: 'one', inputJson: '{}' }]);
    const submitted = await admin.jobChangeCursor();
    expect(jobChanges(start, submitted)).toMatchObject({ jobs: true, typeIds: [], controls: false });
    const [claimed] = await store.jobClaim({ workerId: 'w', typeIds: [A], limit: 1, leaseSeconds: 60 });
    const running = await admin.jobChangeCursor();
    expect(jobChanges(submitted, running)).toMatchObject({ jobs: true, typeIds: [] });
    await store.jobCompleteMany([{ id: claimed!.id, attemptToken: claimed!.attemptToken, outputJson: null }]);
    const finished = await admin.jobChangeCursor();
    expect(jobChanges(running, finished)).toMatchObject({ jobs: true, typeIds: [A], controls: false });
    await store.jobTypeControlSet(B, { paused: true });
    expect(jobChanges(finished, await admin.jobChangeCursor())).toEqual({ jobs: false, typeIds: [], controls: true, actions: false });
  });
});
