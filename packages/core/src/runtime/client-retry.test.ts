import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type JobbyDatabase } from '../store/database.js';
import { createTestDatabase, testPostgresUrl, type TestDatabase } from '../testing/test-database.js';
import { until } from '../testing/until.js';
import { createJobbyClient, type JobbyClient } from './client.js';
import { demoJobs, demoRegistry } from '../testing/demo-plugin.js';

/**
 * The client retries a transient failure of a submission on the store's own pool (idempotent by
 * (type, key)), and never one inside the caller's transaction. The failure is made real: the
 * submission waits for a key that another transaction holds, and its backend is terminated
 * (57P01, as in a failover or a restart) while it waits.
 */
describe('client submissions through a lost connection, on real Postgres', () => {
  let testDatabase: TestDatabase;
  // A pool of its own, named so that the backend terminated below is surely this test's.
  let database: JobbyDatabase;
  const applicationName = `client-retry-${process.pid}`;
  let client: JobbyClient;
  let admin: pg.Client;

  beforeAll(async () => {
    testDatabase = await createTestDatabase({ backend: 'postgres' });
    database = await openDatabase({ connectionString: testPostgresUrl(), schema: testDatabase.schema, poolSize: 4, applicationName });
    client = createJobbyClient({ database, registry: demoRegistry });
    admin = new pg.Client({ connectionString: testPostgresUrl(), application_name: 'client-retry-admin' });
    await admin.connect();
    await client.submit(demoJobs.refs.Produce, 'warm-up', { value: 0 });
  });
  afterAll(async () => {
    await admin?.end();
    await database?.close();
    await testDatabase?.close();
  });

  /** Holds `key`'s identity uncommitted, starts `submit`, kills the backend waiting for it, then lets go. */
  const withBackendKilledWhileWaiting = async <T>(key: string, submit: () => Promise<T>) => {
    const blocker = new pg.Client({ connectionString: testPostgresUrl(), application_name: 'client-retry-blocker' });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query(`insert into ${database.schema}.jobs (id, type_id, key, input) overriding system value values (-1, $1, $2, '{}')`, [client.resolveType(demoJobs.refs.Produce).id, key]);
      const submitted = submit();
      submitted.catch(() => {});
      const pid = await until(
        'the submission to wait for the key',
        async () => {
          const { rows } = await admin.query<{ pid: number }>(
            `select pid from pg_stat_activity where datname = current_database() and application_name = $1 and wait_event_type = 'Lock'`,
            [applicationName],
          );
          return rows[0]?.pid;
        },
        5_000,
        10,
      );
      await admin.query('select pg_terminate_backend($1)', [pid]);
      // Let the retry start (and wait for the key again) before the blocker lets go.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await blocker.query('rollback');
      return await Promise.allSettled([submitted]).then(([outcome]) => outcome!);
    } finally {
      await blocker.end();
    }
  };

  it('a submission on the store pool survives its connection being terminated: retried, the job created once', async () => {
    const outcome = await withBackendKilledWhileWaiting('retried', () => client.submit(demoJobs.refs.Produce, 'retried', { value: 1 }));
    expect(outcome.status === 'rejected' ? String(outcome.reason) : 'fulfilled').toBe('fulfilled');
    const result = (outcome as PromiseFulfilledResult<Awaited<ReturnType<JobbyClient['submit']>>>).value;
    expect(result).toMatchObject({ key: 'retried', created: true, state: 'queued' });
    expect((await client.get(demoJobs.refs.Produce, 'retried'))?.id).toBe(result.id);
  });

  it('a submission inside the caller transaction is not retried: the error reaches the caller', async () => {
    const outcome = await withBackendKilledWhileWaiting('in-transaction', () =>
      database.db.transaction().execute((trx) => client.submit(demoJobs.refs.Produce, 'in-transaction', { value: 1 }, { transaction: trx })),
    );
    expect(outcome.status).toBe('rejected');
    expect(String((outcome as PromiseRejectedResult).reason)).toMatch(/terminat/i);
    expect(await client.get(demoJobs.refs.Produce, 'in-transaction')).toBeUndefined();
    // The pool is whole again.
    expect((await sql<{ one: number }>`select 1 as one`.execute(database.db)).rows[0]!.one).toBe(1);
  });
});
