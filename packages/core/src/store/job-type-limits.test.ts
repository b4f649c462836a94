import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defineJobs, definePlugin, payload, type PluginModule } from '../contract/index.js';
import { createJobbyClient, type JobbyClient } from '../runtime/client.js';
import { defineRegistry } from '../runtime/registry.js';
import { createTestDatabase, testBackends, truncateJobs, type TestDatabase } from '../testing/test-database.js';
import { jobStoreOf } from '../runtime/client.js';
import type { JobStore } from './job-store.js';
import type { ClaimedJob } from './job-claim.js';

/**
 * Limits declared in code and their precedence, per-key groups, and a full rate window's reopening
 * (issue 19), on real Postgres and on the embedded PGlite.
 */

enum TenantJob {
  Import = 0,
  Plain = 1,
}
const tenantJobs = defineJobs({
  plugin: 'tenant',
  enum: TenantJob,
  types: { Import: { input: payload<{ tenant: string; n: number }>() }, Plain: { input: payload<{ n: number }>() } },
  // A tenant named "throw" makes the function throw; "" and a number are not keys.
  groupKeys: {
    Import: (input) => {
      if (input.tenant === 'throw') throw new Error('no tenant');
      return input.n < 0 ? (input.n as unknown as string) : input.tenant;
    },
  },
});
class TenantModule implements PluginModule<typeof tenantJobs> {
  static initialize = () => new TenantModule();
  workers(): void {}
  jobs(): void {}
}
const registry = defineRegistry({
  plugins: [
    {
      name: 'tenant',
      clientId: 9,
      packageName: 'tenant',
      version: '0.0.0',
      definition: definePlugin({ jobs: tenantJobs, module: TenantModule }),
      jobTypes: [
        { id: 9000, localId: 0, name: 'Import', submittable: true },
        { id: 9001, localId: 1, name: 'Plain', submittable: true },
      ],
    },
  ],
});
const Import = 9000;
const Plain = 9001;

describe.each(testBackends)('limits in code and groups on %s', (backend) => {
  let database: TestDatabase;
  let client: JobbyClient;
  let store: JobStore;

  beforeAll(async () => {
    database = await createTestDatabase({ backend, poolSize: 8 });
    client = createJobbyClient({ database, registry });
    store = jobStoreOf(client);
    await client.submit(tenantJobs.refs.Plain, 'registers-the-types', { n: 0 });
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await truncateJobs(database);
    await sql`delete from ${sql.table(`${database.schema}.job_type_controls`)}`.execute(database.db);
  });

  const claim = (limit = 50, worker = 'w', typeIds = [Import]) => store.jobClaim({ workerId: worker, typeIds, limit, leaseSeconds: 30 });
  const groupsOf = (jobs: readonly ClaimedJob[]) => jobs.map((job) => job.key.split('-')[0]).sort();
  const submitTenants = (counts: Record<string, number>) =>
    client.submitMany(Object.entries(counts).flatMap(([tenant, count]) => Array.from({ length: count }, (_, index) => ({ type: tenantJobs.refs.Import, key: `${tenant}-${index}`, input: { tenant, n: index } }))));
  const runningPerGroup = async () =>
    (await sql<{ group_key: string; n: number }>`select group_key, count(*)::int as n from ${sql.table(`${database.schema}.job_running`)} group by group_key`.execute(database.db)).rows;

  it('declared limits hold until a run-time value overrides them; cleared, the declared ones are back', async () => {
    const scope = { scopeTypeIds: [Import, Plain] };
    await store.jobTypeLimitsDeclare({ ...scope, limits: [{ typeId: Import, concurrency: 2, rate: { limit: 50, intervalMs: 1_000 } }] });
    expect(await client.typeControls(tenantJobs.refs.Import)).toMatchObject({
      concurrency: 2,
      rate: { limit: 50, intervalMs: 1_000 },
      declared: { concurrency: 2, rate: { limit: 50, intervalMs: 1_000 }, groupConcurrency: null },
      sources: { concurrency: 'code', rate: 'code', groupConcurrency: null },
    });
    await submitTenants({ a: 6 });
    expect(await claim()).toHaveLength(2);
    // Set at run time: it wins, also over a later declaration (another worker starting).
    expect(await client.setTypeControls(tenantJobs.refs.Import, { concurrency: 3 })).toMatchObject({ concurrency: 3, sources: { concurrency: 'run-time' } });
    await store.jobTypeLimitsDeclare({ ...scope, limits: [{ typeId: Import, concurrency: 4 }] });
    expect(await client.typeControls(tenantJobs.refs.Import)).toMatchObject({ concurrency: 3, rate: null, declared: { concurrency: 4, rate: null }, sources: { concurrency: 'run-time', rate: null } });
    expect(await claim()).toHaveLength(1);
    // Removed at run time: no limit, although the code declares one, until cleared.
    expect(await client.setTypeControls(tenantJobs.refs.Import, { concurrency: null })).toMatchObject({ concurrency: null, declared: { concurrency: 4 }, sources: { concurrency: 'run-time' } });
    expect(await client.setTypeControls(tenantJobs.refs.Import, { clearLimits: true })).toMatchObject({ concurrency: 4, sources: { concurrency: 'code' } });
    expect(await claim()).toHaveLength(1);
    // The code declares nothing any more: the row goes, the claim takes the fast path again.
    await store.jobTypeLimitsDeclare({ ...scope, limits: [] });
    expect(await store.jobTypeControlList()).toEqual([]);
    expect(await claim()).toHaveLength(2);
    // Without a declaration, "none" at run time simply removes the run-time value.
    await client.setTypeControls(tenantJobs.refs.Import, { groupConcurrency: 1 });
    expect(await client.setTypeControls(tenantJobs.refs.Import, { groupConcurrency: null })).toMatchObject({ groupConcurrency: null, sources: { groupConcurrency: null } });
    expect(await store.jobTypeControlList()).toEqual([]);
  });

  it('computes the group key at submit time; a key function that throws or returns a non-string is a clear error', async () => {
    await submitTenants({ acme: 1 });
    const { rows } = await sql<{ group_key: string }>`select group_key from ${sql.table(`${database.schema}.jobs`)} where key = 'acme-0'`.execute(database.db);
    expect(rows).toEqual([{ group_key: 'acme' }]);
    await expect(client.submit(tenantJobs.refs.Import, 'bad-1', { tenant: 'throw', n: 1 })).rejects.toMatchObject({
      code: 'GROUP_KEY_INVALID',
      message: expect.stringContaining('tenant.Import threw for tenant.Import:bad-1: no tenant'),
    });
    await expect(client.submit(tenantJobs.refs.Import, 'bad-2', { tenant: 'x', n: -1 })).rejects.toMatchObject({ code: 'GROUP_KEY_INVALID', message: expect.stringContaining('returned number') });
    await expect(client.submit(tenantJobs.refs.Import, 'bad-3', { tenant: '', n: 1 })).rejects.toMatchObject({ code: 'GROUP_KEY_INVALID', message: expect.stringContaining('1–512') });
    expect(await client.get(tenantJobs.refs.Import, 'bad-1')).toBeUndefined();
  });

  it('runs at most N per group key across concurrent claimers; other groups proceed; slots come back on completion, failure and lease expiry', async () => {
    // Tenant a's backlog comes first in claim order (older run-at): b and c must not wait behind it.
    const old = new Date(Date.now() - 60_000);
    await client.submitMany(Array.from({ length: 20 }, (_, index) => ({ type: tenantJobs.refs.Import, key: `a-${index}`, input: { tenant: 'a', n: index }, options: { runAt: old } })));
    await submitTenants({ b: 3, c: 3 });
    await client.setTypeControls(tenantJobs.refs.Import, { groupConcurrency: 2 });
    const batches = await Promise.all(Array.from({ length: 5 }, (_, index) => claim(10, `w${index}`)));
    expect(groupsOf(batches.flat())).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
    expect(await claim()).toEqual([]);
    const running = batches.flat();
    const first = (group: string) => running.find((job) => job.key.startsWith(`${group}-`))!;
    // Completion frees a's slot, a final failure b's.
    await store.jobCompleteMany([{ id: first('a').id, attemptToken: first('a').attemptToken, outputJson: null }]);
    await store.jobFailMany([{ id: first('b').id, attemptToken: first('b').attemptToken, error: { code: 'X', message: 'x' }, retryable: false }]);
    expect(groupsOf(await claim())).toEqual(['a', 'b']);
    // A dead worker's slots (c's) come back with its lease.
    await sql`update ${sql.table(`${database.schema}.job_running`)} set lease_expires_at = now() - interval '1 second' where group_key = 'c'`.execute(database.db);
    await store.jobLeaseRescueExpired();
    expect(groupsOf(await claim())).toEqual(['c', 'c']);
    // Another type, without groups, is not held back by them.
    await client.submit(tenantJobs.refs.Plain, 'plain', { n: 1 });
    expect(await claim(10, 'w', [Import, Plain])).toMatchObject([{ key: 'plain' }]);
  });

  it('never exceeds the group limit while claimers claim and complete at once', async () => {
    await submitTenants({ a: 12, b: 12, c: 4, d: 1 });
    await store.jobTypeLimitsDeclare({ scopeTypeIds: [Import], limits: [{ typeId: Import, groupConcurrency: 2 }] });
    let most = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 4 }, async (_, claimer) => {
        for (let idle = 0; done < 29 && idle < 200; ) {
          const jobs = await claim(3, `c${claimer}`);
          for (const row of await runningPerGroup()) most = Math.max(most, row.n);
          if (jobs.length === 0) {
            idle++;
            await new Promise((resolve) => setTimeout(resolve, 5));
            continue;
          }
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10));
          await store.jobCompleteMany(jobs.map((job) => ({ id: job.id, attemptToken: job.attemptToken, outputJson: null })));
          done += jobs.length;
        }
      }),
    );
    expect(done).toBe(29);
    expect(most).toBe(2);
  });

  it('a claim stopped by a full rate window tells when the window reopens', async () => {
    await client.setTypeControls(tenantJobs.refs.Plain, { rate: { limit: 2, intervalMs: 800 } });
    await client.submitMany(Array.from({ length: 5 }, (_, index) => ({ type: tenantJobs.refs.Plain, key: `r-${index}`, input: { n: index } })));
    const started = Date.now();
    const first = await claim(10, 'w', [Plain]);
    expect(first).toHaveLength(2);
    const dry = await claim(10, 'w', [Plain]);
    expect(dry).toEqual([]);
    expect(dry.nextRunInMs).toBeGreaterThan(500);
    expect(dry.nextRunInMs).toBeLessThanOrEqual(800);
    await new Promise((resolve) => setTimeout(resolve, started + dry.nextRunInMs! + 50 - Date.now()));
    expect(await claim(10, 'w', [Plain])).toHaveLength(2);
  });
});
