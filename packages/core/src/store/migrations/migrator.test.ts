import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type JobbyDatabase } from '../database.js';
import { testPostgresUrl } from '../../testing/test-database.js';
import { embeddedDefinitions, embeddedMigrations } from './embedded-migrations.generated.js';
import { migrate } from './migrator.js';

describe('the migrator on real Postgres', () => {
  let database: JobbyDatabase;
  beforeAll(async () => {
    database = await openDatabase({ connectionString: testPostgresUrl(), schema: `test_migrator_${randomBytes(4).toString('hex')}` });
  });
  afterAll(async () => {
    await sql`drop schema if exists ${sql.id(database.schema)} cascade`.execute(database.db);
    await database?.close();
  });

  it('refuses a schema made by the pre-release chain, saying what to do, and changes nothing', async () => {
    // What the old chain left: its migrations table and the identity table it had.
    const schema = sql.id(database.schema);
    await sql`create schema ${schema}`.execute(database.db);
    await sql`create table ${schema}.migrations (name varchar(255) primary key, timestamp varchar(255) not null)`.execute(database.db);
    await sql`insert into ${schema}.migrations values ('0001_jobs', '2026-11-20')`.execute(database.db);
    await sql`create table ${schema}.job_keys (type_id integer, key text, job_id bigint)`.execute(database.db);
    const error = await migrate(database).then(() => undefined, (thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'MIGRATION_FAILED' });
    expect((error as Error).message).toContain(`schema "${database.schema}" was created by jobby's pre-release migrations`);
    expect((error as Error).message).toContain(`drop schema "${database.schema}" cascade`);
    const { rows } = await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = ${database.schema} order by 1`.execute(database.db);
    expect(rows.map((row) => row.name)).toEqual(['job_keys', 'migrations']);
  });

  it('applies the store definitions once, and again only those whose text changed', async () => {
    await sql`drop schema ${sql.id(database.schema)} cascade`.execute(database.db);
    const first = await migrate(database);
    expect(first).toEqual({ applied: embeddedMigrations.map((migration) => migration.name), definitions: embeddedDefinitions.map((definition) => definition.name) });
    expect(await migrate(database)).toEqual({ applied: [], definitions: [] });
    // A definition whose applied text differs (an upgrade of the package) is applied again.
    await sql`update ${sql.table(`${database.schema}.store_definitions`)} set checksum = 'old' where name = 'job-claim'`.execute(database.db);
    expect(await migrate(database)).toEqual({ applied: [], definitions: ['job-claim'] });
  });
});
