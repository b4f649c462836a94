import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { createTestDatabase, testPostgresUrl, type TestDatabase } from '../testing/test-database.js';

describe('the database connection on real Postgres', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ backend: 'postgres' });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('turns JIT compilation off on every pooled connection, before its first query', async () => {
    // Several connections at once, so that fresh ones are opened; each reports the setting in its
    // own first statement.
    const settings = await Promise.all(
      Array.from({ length: 4 }, () => database.db.connection().execute(async (connection) => (await sql<{ jit: string }>`show jit`.execute(connection)).rows[0]!.jit)),
    );
    expect(settings).toEqual(['off', 'off', 'off', 'off']);
  });

  it('sets the statement timeout on every connection when asked (the admin reads), and refuses a bad one', async () => {
    const bounded = await openDatabase({ connectionString: testPostgresUrl(), schema: database.schema, statementTimeoutMs: 1_234, poolSize: 1 });
    try {
      expect((await sql<{ statement_timeout: string }>`show statement_timeout`.execute(bounded.db)).rows[0]!.statement_timeout).toBe('1234ms');
    } finally {
      await bounded.close();
    }
    expect((await sql<{ statement_timeout: string }>`show statement_timeout`.execute(database.db)).rows[0]!.statement_timeout).toBe('0');
    await expect(openDatabase({ connectionString: testPostgresUrl(), statementTimeoutMs: 0.5 })).rejects.toThrow(/statementTimeoutMs must be a whole number/);
  });

  it('survives its backend being terminated in the middle of a transaction', async () => {
    const admin = new pg.Client({ connectionString: testPostgresUrl() });
    await admin.connect();
    try {
      const transaction = database.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
        // The checked-out client now emits 'error'; without a listener the process would crash.
        await new Promise((resolve) => setTimeout(resolve, 200));
        await sql`select 1`.execute(trx);
      });
      await expect(transaction).rejects.toThrow();
      // The pool replaces the dead connection.
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
      expect(rows[0]!.one).toBe(1);
    } finally {
      await admin.end();
    }
  });
});
