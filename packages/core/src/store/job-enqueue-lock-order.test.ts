import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testPostgresUrl, truncateJobs, type TestDatabase } from '../testing/test-database.js';
import { openDatabase, type JobbyDatabase } from './database.js';
import { until } from '../testing/until.js';
import type { EnqueueJobParams, EnqueueResult } from './job-enqueue.js';
import { createJobStore, type JobStore } from './job-store.js';
import type { AnyKysely } from '../contract/any-kysely.js';

/**
 * Concurrent enqueues of overlapping keys take their key locks in one global order, (type_id, key)
 * bytewise (migration 0011), whatever order each caller lists them in; so two batches never wait
 * for each other in a cycle. Real Postgres only: PGlite has one session, nothing runs concurrently.
 *
 * The interleaving is forced: a third transaction holds the key `m` uncommitted, so batch A
 * (listed b, m, a) stops at `m`; then batch B (listed a, b) starts. Locking in the caller's order,
 * A holds b and B holds a; when the blocker rolls back, A wants a and B wants b: deadlock, and
 * Postgres fails one of them with 40P01. In one global order, A holds a and b before it stops at
 * m, B waits for A at a, and both finish.
 */

const T = 3000;
const input = '{}';

describe('enqueue lock order on real Postgres', () => {
  let testDatabase: TestDatabase;
  // The enqueues run on a pool of their own, named so that lock waits of other test files running
  // at the same time are not counted as theirs.
  let database: JobbyDatabase;
  const applicationName = `lock-order-${process.pid}`;
  let store: JobStore;
  let blocker: pg.Client;

  beforeAll(async () => {
    testDatabase = await createTestDatabase({ backend: 'postgres' });
    database = await openDatabase({ connectionString: testPostgresUrl(), schema: testDatabase.schema, poolSize: 4, applicationName });
    store = createJobStore(database, { describeType: () => 'test.T' });
    await store.jobTypeSync([{ id: T, name: 'test.T' }]);
    blocker = new pg.Client({ connectionString: testPostgresUrl(), application_name: 'lock-order-blocker' });
    await blocker.connect();
  });
  afterAll(async () => {
    await blocker?.end();
    await database?.close();
    await testDatabase?.close();
  });
  beforeEach(async () => {
    await truncateJobs(database);
    store.context.enqueue.expectNew = true;
  });

  const waitingOnLocks = async () => {
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from pg_stat_activity
      where datname = current_database() and application_name = ${applicationName} and wait_event_type = 'Lock'`.execute(database.db);
    return Number(rows[0]!.n);
  };

  const batch = (keys: string[], dependsOn?: EnqueueJobParams['dependsOn']): EnqueueJobParams[] =>
    keys.map((key) => ({ typeId: T, key, inputJson: input, ...(dependsOn ? { dependsOn } : {}) }));

  const inTransaction = (jobs: EnqueueJobParams[]) => database.db.transaction().execute((trx: AnyKysely) => store.jobEnqueueMany(jobs, trx));

  const paths: [string, (jobs: EnqueueJobParams[]) => Promise<EnqueueResult[]>, boolean][] = [
    ['all-new batches on the store pool (job_enqueue_new)', (jobs) => store.jobEnqueueMany(jobs), false],
    ['batches in a caller transaction (job_enqueue_many)', inTransaction, false],
    ['batches with a dependency (the layered insert)', (jobs) => store.jobEnqueueMany(jobs), true],
  ];

  it.each(paths)('%s: crossing orders do not deadlock; results come back in the caller order', async (_name, enqueue, withDependency) => {
    const dependsOn = withDependency ? [{ typeId: T, key: 'parent' }] : undefined;
    if (withDependency) await store.jobEnqueueMany(batch(['parent']));
    let first: Promise<EnqueueResult[]> | undefined;
    let second: Promise<EnqueueResult[]> | undefined;
    await blocker.query('begin');
    try {
      await blocker.query(`insert into ${database.schema}.jobs (id, type_id, key, input) overriding system value values (-1, $1, 'm', '{}')`, [T]);
      first = enqueue(batch(['b', 'm', 'a'], dependsOn));
      first.catch(() => {});
      await until('batch A to wait for the blocker', async () => (await waitingOnLocks()) >= 1, 5_000, 10);
      second = enqueue(batch(['a', 'b'], dependsOn));
      second.catch(() => {});
      await until('batch B to wait', async () => (await waitingOnLocks()) >= 2, 5_000, 10);
    } finally {
      await blocker.query('rollback');
    }
    const settled = await Promise.allSettled([first!, second!]);
    const errors = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [`${(outcome.reason as { code?: string }).code}: ${(outcome.reason as Error).message}`] : []));
    expect(errors).toEqual([]);
    const [resultA, resultB] = settled.map((outcome) => (outcome as PromiseFulfilledResult<EnqueueResult[]>).value);
    // In the caller's order, each key created once, one id per key.
    expect(resultA!.map((result) => [result.key, result.created])).toEqual([['b', true], ['m', true], ['a', true]]);
    expect(resultB!.map((result) => [result.key, result.created])).toEqual([['a', false], ['b', false]]);
    expect(resultB!.map((result) => result.id)).toEqual([resultA![2]!.id, resultA![0]!.id]);
    // Ids still follow the caller's order (the claim's tie-break), not the lock order.
    const ids = resultA!.map((result) => BigInt(result.id));
    expect(ids[0]! < ids[1]! && ids[1]! < ids[2]!).toBe(true);
    const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(`${database.schema}.jobs`)} where key in ('a', 'b', 'm')`.execute(database.db);
    expect(Number(rows[0]!.n)).toBe(3);
  });
});
