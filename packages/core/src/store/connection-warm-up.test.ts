import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testPostgresUrl, type TestDatabase } from '../testing/test-database.js';
import { openDatabase } from './database.js';
import { createJobStore } from './job-store.js';

/**
 * Warm-up against a Postgres that refuses some of its connections (53300, too many connections:
 * here a role limited to 2, as a full server would be): every connection it took goes back to the
 * pool, and the database closes. Before issue 16's fix, the calls that got a connection waited
 * forever for the ones that could not, so their connections never came back and close() hung.
 */
describe('connection warm-up when Postgres refuses connections', () => {
  let database: TestDatabase;
  let admin: pg.Client;
  const role = `jobby_limited_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    database = await createTestDatabase({ backend: 'postgres' });
    admin = new pg.Client({ connectionString: testPostgresUrl() });
    await admin.connect();
    await admin.query(`create role ${role} login connection limit 2`);
    await admin.query(`grant all on schema ${database.schema} to ${role}; grant all on all tables in schema ${database.schema} to ${role}; grant all on all sequences in schema ${database.schema} to ${role}`);
  });
  afterAll(async () => {
    await admin?.query(`drop owned by ${role}; drop role if exists ${role}`).catch(() => {});
    await admin?.end();
    await database?.close();
  });

  const limitedUrl = () => {
    const url = new URL(testPostgresUrl());
    url.username = role;
    url.password = '';
    return url.toString();
  };

  /** Resolves with `true` when `promise` settles within `ms`, `false` when it does not. */
  const settlesWithin = (promise: Promise<unknown>, ms: number) =>
    Promise.race([promise.then(() => true, () => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

  it('gives back every connection it took when some are refused, and the database closes', async () => {
    const limited = await openDatabase({ connectionString: limitedUrl(), schema: database.schema, poolSize: 4, applicationName: 'warm-up-refused' });
    let closed = false;
    try {
      const store = createJobStore(limited);
      const warmUp = store.connectionWarmUp({ connections: 4, typeIds: [], workerId: 'warm-up-test', holdTimeoutMs: 10_000 });
      warmUp.catch(() => {});
      // Before the hold timeout: a refusal must not leave the others waiting for it.
      expect(await settlesWithin(warmUp, 5_000)).toBe(true);
      await expect(warmUp).rejects.toMatchObject({ code: '53300' });
      expect(limited.pool.totalCount).toBeGreaterThan(0);
      expect(limited.pool.idleCount).toBe(limited.pool.totalCount);
      expect(await settlesWithin(limited.close(), 5_000)).toBe(true);
      closed = true;
    } finally {
      if (!closed) limited.pool.removeAllListeners();
    }
  });

  it('close() finishes even while a connection is never given back, and ends that connection', async () => {
    const leaky = await openDatabase({ connectionString: testPostgresUrl(), schema: database.schema, poolSize: 2, applicationName: 'close-leaked' });
    const { pid } = await new Promise<{ pid: number }>((resolve) => {
      void leaky.db.connection().execute(async (connection) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(connection);
        resolve(rows[0]!);
        await new Promise(() => {}); // never released
      });
    });
    expect(await settlesWithin(leaky.close({ timeoutMs: 300 }), 3_000)).toBe(true);
    const alive = async () => (await admin.query('select 1 from pg_stat_activity where pid = $1', [pid])).rowCount;
    for (let tries = 0; tries < 50 && (await alive()) !== 0; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await alive()).toBe(0);
  });
});
