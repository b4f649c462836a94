import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import { JobbyError } from '../../errors.js';
import type { JobbyDatabase } from '../database.js';
import { embeddedMigrations } from './embedded-migrations.generated.js';

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
  applied: string[];
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
  const migrator = new Migrator({
    db,
    provider: new EmbeddedSqlProvider(schema),
    migrationTableSchema: schema,
    migrationTableName: 'migrations',
    migrationLockTableName: 'migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    throw JobbyError.wrap(error, 'MIGRATION_FAILED', `migration ${failed?.migrationName ?? '(unknown)'} failed in schema "${schema}"`);
  }
  return { applied: (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName) };
}
