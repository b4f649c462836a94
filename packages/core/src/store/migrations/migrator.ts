import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import { JobbyError } from '../../errors.js';
import type { JobbyDatabase } from '../database.js';
import { createHash } from 'node:crypto';
import { embeddedDefinitions, embeddedMigrations } from './embedded-migrations.generated.js';

/**
 * The migrations of the pre-release chain (0001_jobs … 0011), replaced by the store v2 baseline.
 * A schema that has any of them cannot be upgraded in place.
 */
const oldChainMigration = '0001_jobs';

/**
 * Applies the SQL files of `migrations/` (embedded into this package by
 * `npm run generate:migrations`) with Kysely's Migrator. Each file runs in its own transaction with
 * `search_path` set to the jobby schema, so the SQL never names the schema and any schema works.
 */

class EmbeddedSqlProvider implements MigrationProvider {
  constructor(private readonly schema: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    for (const { name, sql: text } of embeddedMigrations) {
      migrations[name] = {
        up: async (db) => {
          await sql`set local search_path to ${sql.id(this.schema)}`.execute(db);
          await sql.raw(text).execute(db);
        },
      };
    }
    return migrations;
  }
}

export interface MigrateResult {
  /** Migrations applied by this call. */
  applied: string[];
  /** Store definitions (src/store/sql/*.sql) created or replaced by this call. */
  definitions: string[];
}

/** Brings the schema up to date. Safe to run from several processes at once (Kysely takes a lock). */
export async function migrate(database: JobbyDatabase): Promise<MigrateResult> {
  const { db, schema } = database;
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  } catch (error) {
    // Two processes racing to create the schema: the loser sees a unique violation; fine if it exists now.
    const exists = await sql<{ exists: boolean }>`select exists (select 1 from pg_namespace where nspname = ${schema}) as exists`.execute(db);
    if (!exists.rows[0]?.exists) throw JobbyError.wrap(error, 'MIGRATION_FAILED', `could not create schema "${schema}"`);
  }
  await refuseOldChain(database);
  const migrator = new Migrator({
    db,
    provider: new EmbeddedSqlProvider(schema),
    migrationTableSchema: schema,
    migrationTableName: 'migrations',
    migrationLockTableName: 'migrations_lock',
  });
  const { error, results } = await migrateToLatestRetrying(migrator);
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    throw JobbyError.wrap(error, 'MIGRATION_FAILED', `migration ${failed?.migrationName ?? '(unknown)'} failed in schema "${schema}"`);
  }
  const applied = (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
  return { applied, definitions: await applyDefinitions(database) };
}

/**
 * Kysely's Migrator reads the catalog of every schema (its introspection) before it looks for its
 * own tables; another process dropping an unrelated schema or table at that moment makes the read
 * fail with "schema … does not exist" (3F000) or "relation … does not exist" (42P01) although
 * nothing is wrong here. Such a failure before any migration ran is retried, a few times.
 */
async function migrateToLatestRetrying(migrator: Migrator): ReturnType<Migrator['migrateToLatest']> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await migrator.migrateToLatest();
    const code = (outcome.error as { code?: string } | undefined)?.code;
    const nothingRan = (outcome.results ?? []).length === 0;
    if (!outcome.error || !nothingRan || (code !== '3F000' && code !== '42P01') || attempt >= 5) return outcome;
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
  }
}

/**
 * A schema created by the pre-release migration chain (jobs in one table) is refused before
 * anything runs: store v2 is a new baseline, and half-migrating a queue would lose jobs.
 */
async function refuseOldChain(database: JobbyDatabase): Promise<void> {
  const { db, schema } = database;
  const { rows } = await sql<{ found: boolean }>`
    select exists (
      select 1 from pg_tables where schemaname = ${schema} and tablename = 'migrations'
    ) and exists (
      select 1 from pg_tables where schemaname = ${schema} and tablename = 'job_keys'
    ) as found`.execute(db);
  if (!rows[0]?.found) return;
  throw new JobbyError(
    'MIGRATION_FAILED',
    `schema "${schema}" was created by jobby's pre-release migrations (${oldChainMigration} … 0011), which store v2 replaces with a new baseline; ` +
      `it cannot be upgraded in place. Drain it (let the workers finish), then drop it (drop schema "${schema}" cascade) ` +
      `or point jobby at a new schema (JOBBY_SCHEMA), and run jobby migrate again.`,
    { details: { schema } },
  );
}

/**
 * Applies the store's definitions (functions, triggers, views: src/store/sql/*.sql, one current
 * definition each) whose text differs from the applied one, in one transaction under an advisory
 * lock, and records their checksums in store_definitions. Every file is idempotent (`create or
 * replace`, `drop … if exists`), so two processes racing here both succeed.
 */
async function applyDefinitions(database: JobbyDatabase): Promise<string[]> {
  const { db, schema } = database;
  const checksums = new Map(embeddedDefinitions.map((definition) => [definition.name, createHash('sha256').update(definition.sql).digest('hex')]));
  const current = await sql<{ name: string; checksum: string }>`select name, checksum from ${sql.table(`${schema}.store_definitions`)}`.execute(db);
  const applied = new Map(current.rows.map((row) => [row.name, row.checksum]));
  if (embeddedDefinitions.every((definition) => applied.get(definition.name) === checksums.get(definition.name))) return [];
  return db.transaction().execute(async (transaction) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`jobby.store_definitions.${schema}`}))`.execute(transaction);
    await sql`set local search_path to ${sql.id(schema)}`.execute(transaction);
    const locked = await sql<{ name: string; checksum: string }>`select name, checksum from store_definitions`.execute(transaction);
    const seen = new Map(locked.rows.map((row) => [row.name, row.checksum]));
    const changed: string[] = [];
    for (const definition of embeddedDefinitions) {
      const checksum = checksums.get(definition.name)!;
      if (seen.get(definition.name) === checksum) continue;
      try {
        await sql.raw(definition.sql).execute(transaction);
      } catch (error) {
        throw JobbyError.wrap(error, 'MIGRATION_FAILED', `store definition ${definition.name}.sql failed in schema "${schema}"`);
      }
      await sql`
        insert into store_definitions (name, checksum) values (${definition.name}, ${checksum})
        on conflict (name) do update set checksum = excluded.checksum, applied_at = now()`.execute(transaction);
      changed.push(definition.name);
    }
    await sql`select job_outcome_partitions_ensure()`.execute(transaction);
    return changed;
  });
}
