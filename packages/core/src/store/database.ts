import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import path from 'node:path';
import { JobbyError } from '../errors.js';
import { connectEmbedded } from './embedded/index.js';

/**
 * The connection to the jobby database: a real Postgres when a connection string is given
 * (usually `DATABASE_URL`), otherwise the embedded PGlite under `<cwd>/.jobby/data`, served over the
 * Postgres wire protocol so that every process (worker, CLI, admin) can reach it at once.
 */

export const defaultSchema = 'jobby';
export const defaultDataDir = '.jobby/data';
const schemaPattern = /^[a-z_][a-z0-9_]{0,62}$/;

export interface DatabaseOptions {
  /** A Postgres connection string. Unset: the embedded database. */
  connectionString?: string;
  /** The Postgres schema holding jobby's tables. Default `jobby`. */
  schema?: string;
  /** The embedded database's directory. Default `.jobby/data` under the working directory. */
  dataDir?: string;
  /** Connections in the pool. Default 10 (4 on the embedded database). */
  poolSize?: number;
  /** Shown as `application_name` in `pg_stat_activity`. */
  applicationName?: string;
}

export interface JobbyDatabase {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Kysely<any>;
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly kind: 'postgres' | 'embedded';
  /** Where the pool connects (for the embedded database: its local server). */
  readonly connectionString: string;
  /** The notification channel that wakes workers of this schema. */
  readonly jobsChannel: string;
  close(): Promise<void>;
}

export function assertSchemaName(schema: string): string {
  if (!schemaPattern.test(schema)) {
    throw new JobbyError('CONFIGURATION_INVALID', `schema name "${schema}" must match ${schemaPattern}`);
  }
  return schema;
}

/** The options from the environment: `DATABASE_URL`, `JOBBY_SCHEMA`, `JOBBY_DATA_DIR`. */
export function databaseOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseOptions {
  return {
    connectionString: env.DATABASE_URL || undefined,
    schema: env.JOBBY_SCHEMA || undefined,
    dataDir: env.JOBBY_DATA_DIR || undefined,
  };
}

const noop = () => {};

/**
 * Opens the jobby database.
 *
 * @example
 * ```ts
 * const database = await openDatabase({ connectionString: process.env.DATABASE_URL });
 * await migrate(database);
 * ```
 */
export async function openDatabase(options: DatabaseOptions = {}): Promise<JobbyDatabase> {
  const schema = assertSchemaName(options.schema ?? defaultSchema);
  let connectionString = options.connectionString;
  let kind: JobbyDatabase['kind'] = 'postgres';
  let closeEmbedded: (() => Promise<void>) | undefined;
  if (!connectionString) {
    const embedded = await connectEmbedded({ dataDir: path.resolve(options.dataDir ?? defaultDataDir) });
    connectionString = embedded.connectionString;
    closeEmbedded = () => embedded.close();
    kind = 'embedded';
  }
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? (kind === 'embedded' ? 4 : 10),
    application_name: options.applicationName ?? 'jobby',
    // A dead server must not hang callers forever; the worker loop retries with backoff.
    connectionTimeoutMillis: 10_000,
    // No JIT compilation on jobby's connections: its statements are short and index-driven, and
    // the planner's estimates on queue tables are often far off, which is what triggers JIT. The
    // admin's workflow graph (a recursive walk estimated at half a million) spent 320 ms compiling
    // for a 3 ms query. Awaited before the pool hands the new connection out (queueing it behind
    // the caller's first query made pg warn that queued queries are deprecated). A session SET,
    // not the `options` startup parameter, which poolers such as PgBouncer refuse; a server that
    // refuses it (no JIT support) keeps the connection as it is. Plugins sharing the pool can
    // `set local jit = on` for an analytical query.
    onConnect: kind === 'postgres' ? (client) => client.query('set jit = off').then(noop, noop) : undefined,
  });
  // A client losing its connection (Postgres restart, pg_terminate_backend) emits 'error': on an
  // idle client the pool's listener gets it; a checked-out client (mid-transaction) needs its own,
  // or the process dies of an unhandled 'error' event. The statement in flight still fails with a
  // transient error, which callers retry.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    db,
    pool,
    schema,
    kind,
    connectionString,
    jobsChannel: `jobby:${schema}:jobs`,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      await closeEmbedded?.();
    },
  };
}
