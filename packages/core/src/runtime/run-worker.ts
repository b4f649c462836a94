import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { JobbyError, describeError } from '../errors.js';
import { backoffDelay, databaseOutageBackoff } from './backoff.js';
import { databaseOptionsFromEnv, openDatabase, type DatabaseOptions, type JobbyDatabase } from '../store/database.js';
import { migrate } from '../store/migrations/migrator.js';
import { createLogger } from './logger.js';
import { createWorkerMetrics, serveMetrics } from './metrics.js';
import { describeOrphanedJobTypes, findOrphanedJobTypes } from './orphaned-job-types.js';
import { createJobStore } from '../store/job-store.js';
import type { JobbyRegistry } from './registry.js';
import { isTransientDatabaseError } from './transient-error.js';
import { createWorker, type Worker, type WorkerOptions } from './worker/worker.js';
import { resolveWorkerOptions, type WorkerProgramTunables } from './worker/worker-options.js';

/**
 * `runWorker`: a worker as a deployed process runs it. Opens the database (DATABASE_URL, else the
 * embedded one), applies migrations (waiting for a database that is still starting), starts the
 * worker, warns about jobs of removed job types, and optionally serves Prometheus metrics.
 *
 * No argv and no signals here: the `jobby worker` command and the generated worker program (both
 * in @jobby/cli) parse flags from the options table and stop the worker on SIGTERM/SIGINT.
 */

export interface RunWorkerOptions extends Omit<WorkerOptions, 'database' | 'pluginConfig'>, WorkerProgramTunables {
  registry: JobbyRegistry;
  /** How to reach the database. Default: `databaseOptionsFromEnv()`; the `schema` option overrides its schema. */
  database?: DatabaseOptions;
  /** Per-plugin configuration sections. Default: the `plugins` section of `configFile`. */
  pluginConfig?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface RunningWorker {
  worker: Worker;
  database: JobbyDatabase;
  /** Stops the worker gracefully (see `Worker.stop`), then the metrics server, then closes the database. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Opens the database, migrates, and starts a worker; resolves once it runs. Throws `JobbyError`
 * CONFIGURATION_INVALID (a bad option, a bad config file) before touching the database.
 *
 * @example
 * ```ts
 * const running = await runWorker({ registry, concurrency: 20, metricsPort: 9100 });
 * process.once('SIGTERM', () => void running.stop().then(() => process.exit(0)));
 * ```
 */
export async function runWorker(options: RunWorkerOptions): Promise<RunningWorker> {
  const { registry, schema, configFile, skipMigrate, metricsPort, database: databaseOptions, ...workerOptions } = resolveWorkerOptions(options);
  const logger = options.logger ?? createLogger();
  const pluginConfig = options.pluginConfig ?? (await readPluginConfig(configFile));
  const database = await openDatabase({ ...databaseOptionsFromEnv(), ...databaseOptions, ...(schema ? { schema } : {}), applicationName: 'jobby-worker', logger });
  let metricsServer: Server | undefined;
  try {
    if (!skipMigrate) await migrateWhenReachable(database, logger);
    const worker = createWorker({ ...workerOptions, database, registry, pluginConfig, logger });
    await worker.start();
    await warnAboutOrphanedJobTypes(database, registry, logger);
    if (metricsPort !== undefined) {
      metricsServer = await serveMetrics(createWorkerMetrics(worker), metricsPort);
      const address = metricsServer.address();
      logger.info({ url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : metricsPort}/metrics` }, 'metrics served');
    }
    let stopping: Promise<void> | undefined;
    return {
      worker,
      database,
      stop: () =>
        (stopping ??= (async () => {
          await worker.stop();
          await new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()));
          await database.close();
        })()),
    };
  } catch (error) {
    metricsServer?.close();
    await database.close();
    throw error;
  }
}

/** Migrations wait out a database that is starting or restarting; any other error is thrown. */
async function migrateWhenReachable(database: JobbyDatabase, logger: Logger): Promise<void> {
  for (let failures = 1; ; failures++) {
    try {
      await migrate(database);
      return;
    } catch (error) {
      if (!isTransientDatabaseError(error)) throw error;
      logger.warn({ err: error }, 'database unavailable; retrying migrations');
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(failures, databaseOutageBackoff)));
    }
  }
}

/** A warning, never a refusal: the worker runs every job type it has; a failed check is logged too. */
async function warnAboutOrphanedJobTypes(database: JobbyDatabase, registry: JobbyRegistry, logger: Logger): Promise<void> {
  try {
    const orphaned = await findOrphanedJobTypes(createJobStore(database), registry);
    if (orphaned.length > 0) logger.warn({ orphaned }, describeOrphanedJobTypes(orphaned));
  } catch (error) {
    logger.warn({ err: error }, 'could not look for jobs of removed job types');
  }
}

/** Reads `{ "plugins": { … } }` from the config file; a missing default file means no configuration. */
export async function readPluginConfig(configFile: string | undefined): Promise<Record<string, Record<string, unknown>>> {
  const file = configFile ?? 'jobby.config.json';
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (configFile === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new JobbyError('CONFIGURATION_INVALID', `cannot read config file ${file}: ${describeError(error)}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new JobbyError('CONFIGURATION_INVALID', `config file ${file} is not valid JSON: ${describeError(error)}`, { cause: error });
  }
  const plugins = (parsed as { plugins?: unknown } | null)?.plugins ?? {};
  if (typeof plugins !== 'object' || plugins === null || Array.isArray(plugins) || Object.values(plugins).some((section) => typeof section !== 'object' || section === null || Array.isArray(section))) {
    throw new JobbyError('CONFIGURATION_INVALID', `config file ${file}: "plugins" must map plugin names to objects`);
  }
  return plugins as Record<string, Record<string, unknown>>;
}
