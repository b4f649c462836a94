import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import path from 'node:path';
import { JobbyError } from '../errors.js';
import { EmbeddedEndpoint, type EmbeddedLogger } from '../embedded/index.js';
import type { AnyKysely } from '../contract/any-kysely.js';

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
  /** Where the embedded database reports a change of owner (see `EmbeddedEndpoint`). */
  logger?: EmbeddedLogger;
  /**
   * Postgres cancels any statement of this pool that runs longer (`statement_timeout`, error
   * 57014), so that a reader such as the admin can never hold the queue's tables for long. Unset:
   * no limit. Not applied on the embedded database, whose one session all processes share.
   */
  statementTimeoutMs?: number;
}

export interface JobbyDatabase {
  readonly db: AnyKysely;
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly kind: 'postgres' | 'embedded';
  /**
   * Where the pool connects. For the embedded database, its owner's local server: read it when
   * connecting, since it changes when the owner leaves and another process (maybe this one) takes
   * over.
   */
  readonly connectionString: string;
  /** The notification channel that wakes workers of this schema. */
  readonly jobsChannel: string;
  /**
   * Closes the pool (and the embedded database). Waits for connections still checked out to come
   * back, for at most `timeoutMs` (default 5,000); then ends them, so that close always finishes
   * and a process can exit even when some code never gave its connection back.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
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
  if (options.statementTimeoutMs !== undefined && !(Number.isSafeInteger(options.statementTimeoutMs) && options.statementTimeoutMs >= 1)) {
    throw new JobbyError('CONFIGURATION_INVALID', `statementTimeoutMs must be a whole number of milliseconds ≥ 1, got ${String(options.statementTimeoutMs)}`);
  }
  const embedded = options.connectionString ? undefined : await EmbeddedEndpoint.open({
    dataDir: path.resolve(options.dataDir ?? defaultDataDir),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const kind: JobbyDatabase['kind'] = embedded ? 'embedded' : 'postgres';
  const connectionString = () => embedded?.connectionString ?? (options.connectionString as string);
  const pool = new pg.Pool({
    connectionString: connectionString(),
    // On the embedded database every new connection goes to the current owner, and a connection
    // that cannot reach it has the owner resolved again before its error reaches the caller, whose
    // retry then goes to the new owner.
    ...(embedded ? { Client: embeddedClient(embedded) } : {}),
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
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- @types/pg says onConnect returns void, but pg-pool awaits what it returns before handing the client out (pg-pool/index.js, _promiseTry)
    onConnect: kind === 'postgres' ? (client) => configureConnection(client, options.statementTimeoutMs) : undefined,
  });
  // A client losing its connection (Postgres restart, pg_terminate_backend) emits 'error': on an
  // idle client the pool's listener gets it; a checked-out client (mid-transaction) needs its own,
  // or the process dies of an unhandled 'error' event. The statement in flight still fails with a
  // transient error, which callers retry. On the embedded database a dropped connection may mean
  // that its owner left: the owner is resolved again, so that the retry reaches the next one.
  const lost = embedded ? () => void embedded.connectionLost() : noop;
  // Every connection the pool holds, for close() to end those that are never given back.
  const clients = new Set<pg.PoolClient>();
  pool.on('error', lost);
  pool.on('connect', (client) => {
    clients.add(client);
    client.on('error', lost);
  });
  pool.on('remove', (client) => clients.delete(client as pg.PoolClient));
  const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  let closing: Promise<void> | undefined;
  return {
    db,
    pool,
    schema,
    kind,
    get connectionString() {
      return connectionString();
    },
    jobsChannel: `jobby:${schema}:jobs`,
    close(closeOptions = {}) {
      return (closing ??= (async () => {
        // pool.end() resolves only once every checked-out connection is given back: one that never
        // is (a leak, a caller stuck forever) made close hang, and with it a worker's exit on
        // SIGTERM (issue 16, item 2). After the timeout the stragglers' sockets are closed; their
        // holders' statements fail, and nothing keeps the process alive.
        const destroyed = db.destroy().then(() => true);
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), closeOptions.timeoutMs ?? 5_000)));
        const finished = await Promise.race([destroyed, timedOut]);
        clearTimeout(timer);
        if (!finished) {
          destroyed.catch(noop);
          options.logger?.warn({ connections: clients.size }, 'closing the database: connections never given back to the pool were ended');
          await Promise.all([...clients].map((client) => (client as unknown as pg.Client).end().catch(noop)));
        }
        await embedded?.close();
      })());
    },
  };
}

/**
 * Session settings of a new connection (see the comment at `onConnect`): JIT off, where the server
 * allows it; the statement timeout, which must hold, so its failure fails the connection.
 */
async function configureConnection(client: pg.ClientBase, statementTimeoutMs: number | undefined): Promise<void> {
  await client.query('set jit = off').then(noop, noop);
  if (statementTimeoutMs !== undefined) await client.query(`set statement_timeout = ${statementTimeoutMs}`);
}

/** A pg client class whose connections go to the embedded database's current owner. */
function embeddedClient(endpoint: EmbeddedEndpoint): typeof pg.Client {
  return class EmbeddedClient extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connectionString: endpoint.connectionString });
    }

    override connect(): Promise<pg.Client>;
    override connect(callback: (error: Error | null, client?: pg.Client) => void): void;
    override connect(callback?: (error: Error | null, client?: pg.Client) => void): Promise<pg.Client> | void {
      const connected = super.connect().catch(async (error: unknown) => {
        await endpoint.connectionLost();
        throw error;
      });
      if (!callback) return connected;
      connected.then((client) => callback(null, client), (error: Error) => callback(error));
    }
  };
}
