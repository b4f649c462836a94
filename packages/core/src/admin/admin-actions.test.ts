import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobStore, type JobStore } from '../store/job-store.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../testing/test-database.js';
import { createJobAdmin, type JobAdmin } from './job-admin.js';

/** The admin's audit trail: one row per job an action changed, read newest first per job and per type. */

const A = 1300;

describe.each(testBackends)('admin audit trail on %s', (backend) => {
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

  it('records actions on jobs and on types, and lists a job\'s newest first', async () => {
    const [first, second] = await store.jobEnqueueMany([
      { typeId: A, key: 'audited-1', inputJson: '{}' },
      { typeId: A, key: 'audited-2', inputJson: '{}' },
    ]);
    expect(await admin.adminActionRecord({ actor: 'operator', action: 'cancel', jobIds: [first!.id, second!.id], details: { filter: { keyPrefix: 'audited-' } } })).toBe(2);
    expect(await admin.adminActionRecord({ actor: 'operator (ana)', action: 'retry', jobIds: [first!.id] })).toBe(1);
    expect(await admin.adminActionRecord({ actor: 'operator', action: 'pause', typeId: A, details: { paused: true } })).toBe(1);
    // An id that is no job writes nothing.
    expect(await admin.adminActionRecord({ actor: 'operator', action: 'retry', jobIds: ['987654321'] })).toBe(0);

    const trail = await admin.adminActionList({ jobId: first!.id, limit: 10 });
    expect(trail.map(({ actor, action, jobId, typeId, details }) => ({ actor, action, jobId, typeId, details }))).toEqual([
      { actor: 'operator (ana)', action: 'retry', jobId: first!.id, typeId: A, details: null },
      { actor: 'operator', action: 'cancel', jobId: first!.id, typeId: A, details: { filter: { keyPrefix: 'audited-' } } },
    ]);
    expect(trail[0]!.at).toBeInstanceOf(Date);
    expect((await admin.adminActionList({ typeId: A, limit: 10 })).map((entry) => entry.action)).toEqual(['pause', 'retry', 'cancel', 'cancel']);
    await expect(admin.adminActionRecord({ actor: '', action: 'retry', jobIds: [first!.id] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(admin.adminActionRecord({ actor: 'x', action: 'retry', jobIds: ['1; drop'] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
