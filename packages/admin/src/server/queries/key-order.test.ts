import { createTestDatabase, type TestDatabase } from '@jobby/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyOrderedByBytes } from './key-order.js';
import { createAdminTables } from './tables.js';

/**
 * The key-prefix range (job-list.ts) is taken when job_keys.key orders by bytes: decided by the
 * column's collation ("C" since migration 0010), not the database's.
 */
describe('keyOrderedByBytes', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ backend: 'postgres' });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('is true for the migrated schema, false once the key column sorts by a language, false for a missing table', async () => {
    const tables = createAdminTables(database.schema);
    expect(await keyOrderedByBytes(database.pool, tables)).toBe(true);
    // A linguistic collation (ICU's en-US, which this Postgres has) breaks the prefix-as-range rule.
    await database.pool.query(`alter table ${tables.jobKeys} alter column key type text collate "en-US-x-icu"`);
    expect(await keyOrderedByBytes(database.pool, tables)).toBe(false);
    await database.pool.query(`alter table ${tables.jobKeys} alter column key type text collate "C"`);
    expect(await keyOrderedByBytes(database.pool, tables)).toBe(true);
    expect(await keyOrderedByBytes(database.pool, createAdminTables('no_such_schema'))).toBe(false);
  });
});
