import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { cp, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type JobbyDatabase } from '../store/database.js';
import { migrate } from '../store/migrations/migrator.js';
import { embeddedDefinitions, embeddedMigrations } from '../store/migrations/embedded-migrations.generated.js';

/**
 * Test databases. Each test file gets its own: on real Postgres a fresh schema (dropped on close),
 * on the embedded database a copy of a migrated PGlite data directory built once per machine
 * (PGlite's cold start takes seconds; reopening a copy takes a fraction of one).
 *
 * Real Postgres is `JOBBY_TEST_DATABASE_URL`, else `DATABASE_URL`, else the local server at
 * 127.0.0.1:5432. A test that needs it fails when it is not there; it never skips.
 */

export type TestBackend = 'postgres' | 'embedded';

export const testBackends: readonly TestBackend[] = ['postgres', 'embedded'];

export interface TestDatabase extends JobbyDatabase {
  readonly backend: TestBackend;
}

export function testPostgresUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.JOBBY_TEST_DATABASE_URL || env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
}

export async function createTestDatabase(options: { backend?: TestBackend; poolSize?: number } = {}): Promise<TestDatabase> {
  const backend = options.backend ?? 'postgres';
  if (backend === 'postgres') {
    const connectionString = testPostgresUrl();
    await assertPostgresReachable(connectionString);
    const schema = `test_${randomBytes(6).toString('hex')}`;
    const database = await openDatabase({ connectionString, schema, poolSize: options.poolSize ?? 10, applicationName: 'jobby-test' });
    await migrate(database);
    return {
      ...database,
      backend,
      async close() {
        await database.db.schema.dropSchema(schema).ifExists().cascade().execute().catch(() => {});
        await database.close();
      },
    };
  }
  const template = await embeddedTemplate();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'jobby-test-pglite-'));
  await cp(template, dataDir, { recursive: true });
  const database = await openDatabase({ dataDir: path.join(dataDir, 'data'), schema: 'jobby', poolSize: options.poolSize ?? 4 });
  return {
    ...database,
    backend,
    async close() {
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function assertPostgresReachable(connectionString: string): Promise<void> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(
      `tests need Postgres at ${connectionString.replace(/:[^:@/]+@/, ':***@')} (set JOBBY_TEST_DATABASE_URL or DATABASE_URL): ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** A migrated PGlite data directory, built once per migration set and reused by every test file. */
async function embeddedTemplate(): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify([embeddedMigrations, embeddedDefinitions])).digest('hex').slice(0, 16);
  const root = path.join(os.tmpdir(), `jobby-pglite-template-${hash}`);
  const marker = path.join(root, 'ready');
  if (await exists(marker)) return path.join(root, 'template');
  const lockDir = `${root}.lock`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch {
      if (await exists(marker)) return path.join(root, 'template');
      // Another test file is building it; a lock older than two minutes belongs to a dead run.
      const info = await stat(lockDir).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > 120_000) await rm(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (await exists(marker)) return path.join(root, 'template');
    await rm(root, { recursive: true, force: true });
    const dataDir = path.join(root, 'template', 'data');
    const database = await openDatabase({ dataDir, schema: 'jobby', poolSize: 1 });
    try {
      await migrate(database);
    } finally {
      await database.close();
    }
    await writeFile(marker, new Date().toISOString());
    return path.join(root, 'template');
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}


/**
 * Empties jobby's job tables (records, queue, running attempts, history, edges, counters), keeping
 * the registered job types and workers: a clean slate between tests that share a schema.
 *
 * @example
 * beforeEach(() => truncateJobs(database));
 */
export async function truncateJobs(database: JobbyDatabase): Promise<void> {
  const tables = ['jobs', 'job_queue', 'job_running', 'job_outcomes', 'job_logs', 'job_dependencies', 'job_stats'];
  await sql.raw(`truncate ${tables.map((table) => `"${database.schema}".${table}`).join(', ')}`).execute(database.db);
}
