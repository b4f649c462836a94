import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTables } from '../store/tables.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../testing/test-database.js';
import { keyOrderedByBytes } from './key-order.js';

/**
 * The key-prefix range (job-list.ts) is taken when jobs.key orders by bytes: decided by the
 * column's collation ("C" in the baseline), not the database's.
 */
describe.each(testBackends)('keyOrderedByBytes on %s', (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ backend });
  }, 120_000);
  afterAll(async () => {
    await database?.close();
  });

  it('is true for the migrated schema, false for a missing table', async () => {
    expect(await keyOrderedByBytes({ db: database.db, tables: createTables(database.schema) })).toBe(true);
    expect(await keyOrderedByBytes({ db: database.db, tables: createTables('no_such_schema') })).toBe(false);
  });
});

// ICU collations: the server has them, the embedded database is built without ICU.
describe('keyOrderedByBytes on postgres, under a language collation', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ backend: 'postgres' });
  }, 120_000);
  afterAll(async () => {
    await database?.close();
  });

  it('is false for a key column that sorts by a language', async () => {
    // A jobs table of another schema (the migrated one is pinned by the job_snapshots view), under
    // ICU's en-US (which this Postgres has): the prefix-as-range rule does not hold there.
    const schema = `${database.schema}_icu`;
    await sql.raw(`create schema ${schema}; create table ${schema}.jobs (key text collate "en-US-x-icu")`).execute(database.db);
    try {
      expect(await keyOrderedByBytes({ db: database.db, tables: createTables(schema) })).toBe(false);
      await sql.raw(`alter table ${schema}.jobs alter column key type text collate "C"`).execute(database.db);
      expect(await keyOrderedByBytes({ db: database.db, tables: createTables(schema) })).toBe(true);
    } finally {
      await sql.raw(`drop schema ${schema} cascade`).execute(database.db);
    }
  });
});
