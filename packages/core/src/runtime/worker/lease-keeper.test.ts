import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobStore, type JobStore } from '../../store/job-store.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { createJobbyClient, type JobbyClient } from '../client.js';
import type { RegisteredWorker } from '../module-loader.js';
import { demoJobs, demoRegistry } from '../../testing/demo-plugin.js';
import { HeldJobs, type HeldJob } from './held-jobs.js';
import type { AbortCause } from './job-runner.js';
import { LeaseKeeper } from './lease-keeper.js';
import { pruneExpiredJobs, sweepExpiredLeases } from './maintenance.js';
import { pino } from 'pino';

/** The lease keeper and the sweep on real Postgres: the database decides whose a job is. */

const produce = demoRegistry.require('demo.Produce');

describe('leases on real Postgres', () => {
  let database: TestDatabase;
  let client: JobbyClient;
  let store: JobStore;

  beforeAll(async () => {
    database = await createTestDatabase({ backend: 'postgres' });
    client = createJobbyClient({ database, registry: demoRegistry });
    store = createJobStore(database);
  });
  afterAll(async () => {
    await database?.close();
  });

  const claimInto = async (ledger: HeldJobs, workerId: string, leaseSeconds: number) => {
    const type = { worker: { type: produce } as RegisteredWorker, buffer: [], running: 0, nextPollAt: 0, forced: false, lastClaimFull: false };
    const [job] = await store.jobClaim({ workerId, typeIds: [produce.id], limit: 1, leaseSeconds });
    const held: HeldJob = { job: job!, type, phase: 'buffered' };
    ledger.hold(held);
    return held;
  };

  it('extends the leases it holds; a cancelled job’s handler is aborted, a buffered one let go', async () => {
    await client.submit(demoJobs.refs.Produce, 'kept', { value: 1 });
    await client.submit(demoJobs.refs.Produce, 'cancelled-running', { value: 2 });
    await client.submit(demoJobs.refs.Produce, 'cancelled-buffered', { value: 3 });
    const ledger = new HeldJobs();
    const aborted: [string, AbortCause][] = [];
    const keeper = new LeaseKeeper({ workerId: 'keeper', store, held: ledger, leaseSeconds: 30, abort: (held, cause) => aborted.push([held.job.key, cause]) });
    const claimed = [await claimInto(ledger, 'keeper', 30), await claimInto(ledger, 'keeper', 30), await claimInto(ledger, 'keeper', 30)];
    const byKey = new Map(claimed.map((held) => [held.job.key, held]));
    byKey.get('kept')!.phase = 'running';
    byKey.get('cancelled-running')!.phase = 'running';
    await client.cancel(demoJobs.refs.Produce, 'cancelled-running');
    await client.cancel(demoJobs.refs.Produce, 'cancelled-buffered');
    await keeper.keepLeases();
    expect(aborted).toEqual([['cancelled-running', 'lease-lost']]);
    expect(ledger.get(byKey.get('cancelled-buffered')!.job.id)).toBeUndefined();
    expect(ledger.get(byKey.get('kept')!.job.id)).toBe(byKey.get('kept'));
    expect(keeper.intervalMs).toBe(10_000);
  });

  it('sweeps another worker’s expired lease back to the queue; the prune runs without error', async () => {
    await client.submit(demoJobs.refs.Produce, 'abandoned-by-a-dead-worker', { value: 4 });
    await claimInto(new HeldJobs(), 'dead-worker', 0.2);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const logger = pino({ level: 'silent' });
    await sweepExpiredLeases(store, logger);
    expect((await client.get(demoJobs.refs.Produce, 'abandoned-by-a-dead-worker'))?.state).toBe('queued');
    await pruneExpiredJobs(store, logger);
  });
});
