import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineJobs } from '../contract/define-jobs.js';
import { definePlugin } from '../contract/define-plugin.js';
import { payload } from '../contract/payload.js';
import { createJobStore } from '../store/job-store.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { createJobbyClient } from './client.js';
import { describeOrphanedJobTypes, findOrphanedJobTypes } from './orphaned-job-types.js';
import { defineRegistry } from './registry.js';
import { demoRegistry } from '../testing/demo-plugin.js';

enum GoneJob {
  Old = 0,
}
const goneJobs = defineJobs({ plugin: 'gone', enum: GoneJob, types: { Old: { input: payload<Record<string, never>>() } } });
class GoneModule {
  static initialize = () => new GoneModule();
  workers(): void {}
  jobs(): void {}
}
/** The demo registry as it was before the "gone" plugin was removed. */
const before = defineRegistry({
  plugins: [
    ...demoRegistry.plugins,
    { name: 'gone', clientId: 99, packageName: '@test/gone', version: '0.0.0', definition: definePlugin({ jobs: goneJobs, module: GoneModule }), jobTypes: [{ id: 99_000, localId: 0, name: 'Old', submittable: true }] },
  ],
});

describe('orphaned job types', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ backend: 'postgres' });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('are the job types the database knows and the registry does not, with unfinished jobs', async () => {
    const client = createJobbyClient({ database, registry: before });
    await client.submit(goneJobs.refs.Old, 'waiting-forever', {}, { runAt: new Date(Date.now() + 3_600_000) });
    await client.submit(goneJobs.refs.Old, 'cancelled', {});
    await client.cancel(goneJobs.refs.Old, 'cancelled');
    expect(await findOrphanedJobTypes(createJobStore(database), before)).toEqual([]);
    const orphaned = await findOrphanedJobTypes(createJobStore(database), demoRegistry);
    expect(orphaned).toEqual([{ id: 99_000, name: 'gone.Old', unfinished: 1 }]);
    expect(describeOrphanedJobTypes(orphaned)).toBe(
      '1 unfinished job(s) of job types no longer in the registry will never run: gone.Old (id 99000): 1. See them with `jobby jobs list --type gone.Old`, cancel them with `jobby jobs cancel gone.Old <key>`, or bring the job type back',
    );
    await client.cancel(goneJobs.refs.Old, 'waiting-forever');
    expect(await findOrphanedJobTypes(createJobStore(database), demoRegistry)).toEqual([]);
  });
});
