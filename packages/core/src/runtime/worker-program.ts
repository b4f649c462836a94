import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { isCreationMode, type CreationMode } from '../contract/creation-mode.js';
import { JobbyError, describeError } from '../errors.js';
import { databaseOptionsFromEnv, openDatabase, type DatabaseOptions, type JobbyDatabase } from '../store/database.js';
import { migrate } from '../store/migrations/migrator.js';
import { createLogger } from './logger.js';
import { createWorkerMetrics, serveMetrics } from './metrics.js';
import { describeOrphanedJobTypes, findOrphanedJobTypes } from './orphaned-job-types.js';
import { createJobStore } from '../store/job-store.js';
import type { JobbyRegistry } from './registry.js';
import { isTransientDatabaseError } from './transient-error.js';
import { createWorker, type Worker } from './worker/worker.js';

/**
 * The worker program: what the generated `worker.ts` entry and `jobby worker` run. Opens the
 * database (DATABASE_URL, else the embedded one), migrates, starts the worker, and stops it
 * gracefully on SIGTERM/SIGINT (exit code 0).
 */

export interface WorkerProgramOptions {
  registry: JobbyRegistry;
  database?: DatabaseOptions;
  concurrency?: number;
  prefetch?: number;
  plugins?: string[];
  workersMode?: CreationMode;
  jobsMode?: CreationMode;
  leaseSeconds?: number;
  sweepIntervalMs?: number;
  /** Default poll interval of workers that set none (default 2000 ms; notifications wake them sooner). */
  pollIntervalMs?: number;
  shutdownGraceMs?: number;
  metricsPort?: number;
  /** Where plugins keep local files (`<dataDirectory>/<plugin>`). Default `.jobby/plugins`. */
  dataDirectory?: string;
  /** Per-plugin configuration sections (`plugins.<name>` of the config file). */
  pluginConfig?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** A JSON config file `{ "plugins": { "<name>": { … } } }`. Default: `jobby.config.json` when it exists. */
  configFile?: string;
  /** Skip `migrate` (when migrations are applied by a deploy step). */
  skipMigrate?: boolean;
  logger?: Logger;
  /** Install SIGTERM/SIGINT handlers that stop the worker and exit. Default true. */
  handleSignals?: boolean;
  /** Called once the worker runs (the CLI starts the admin server here). */
  onStarted?: (context: { worker: Worker; database: JobbyDatabase }) => void | Promise<void>;
}

export interface WorkerProgram {
  worker: Worker;
  database: JobbyDatabase;
  /** Stops the worker, closes the database. */
  stop(): Promise<void>;
}

export const workerProgramUsage = `Usage: worker [options]

Runs the jobby worker for every plugin in the registry.

Options:
  --concurrency N                 handlers running at once (default 10)
  --prefetch N                    jobs claimed ahead of free slots (default 0)
  --plugins a,b                   only these plugins
  --workers-mode none|local|production   (default production)
  --jobs-mode none|local|production      startup jobs to submit (default production)
  --lease-seconds N               lease length (default 30)
  --grace-ms N                    shutdown grace period (default 10000)
  --metrics-port P                serve Prometheus metrics on 127.0.0.1:P/metrics
  --schema NAME                   Postgres schema (default jobby, or JOBBY_SCHEMA)
  --config FILE                   plugin configuration, JSON {"plugins": {"<name>": {...}}} (default jobby.config.json if present)
  --data-dir DIR                  where plugins keep local files (default .jobby/plugins)
  --skip-migrate                  do not apply migrations at start
  -h, --help                      show this help

Environment: DATABASE_URL selects Postgres; without it the embedded database in .jobby/data is used.`;

/** Parses worker flags; throws `INVALID_ARGUMENT` with a one-line message on bad input. */
export function parseWorkerArguments(argv: readonly string[]): Omit<WorkerProgramOptions, 'registry'> & { help?: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        concurrency: { type: 'string' },
        prefetch: { type: 'string' },
        plugins: { type: 'string' },
        'workers-mode': { type: 'string' },
        'jobs-mode': { type: 'string' },
        'lease-seconds': { type: 'string' },
        'grace-ms': { type: 'string' },
        'metrics-port': { type: 'string' },
        schema: { type: 'string' },
        config: { type: 'string' },
        'data-dir': { type: 'string' },
        'skip-migrate': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new JobbyError('INVALID_ARGUMENT', describeError(error));
  }
  const values = parsed.values;
  const integer = (name: string, value: string | undefined, minimum: number): number | undefined => {
    if (value === undefined) return undefined;
    const number = Number(value);
    if (!/^\d+$/.test(value) || number < minimum) throw new JobbyError('INVALID_ARGUMENT', `--${name} must be an integer ≥ ${minimum}, got "${value}"`);
    return number;
  };
  const mode = (name: string, value: string | undefined): CreationMode | undefined => {
    if (value === undefined) return undefined;
    if (!isCreationMode(value)) throw new JobbyError('INVALID_ARGUMENT', `--${name} must be none, local or production, got "${value}"`);
    return value;
  };
  return {
    help: values.help,
    concurrency: integer('concurrency', values.concurrency, 1),
    prefetch: integer('prefetch', values.prefetch, 0),
    plugins: values.plugins?.split(',').map((name) => name.trim()).filter(Boolean),
    workersMode: mode('workers-mode', values['workers-mode']),
    jobsMode: mode('jobs-mode', values['jobs-mode']),
    leaseSeconds: integer('lease-seconds', values['lease-seconds'], 2),
    shutdownGraceMs: integer('grace-ms', values['grace-ms'], 0),
    metricsPort: integer('metrics-port', values['metrics-port'], 0),
    skipMigrate: values['skip-migrate'],
    configFile: values.config,
    dataDirectory: values['data-dir'],
    database: { ...databaseOptionsFromEnv(), ...(values.schema ? { schema: values.schema } : {}) },
  };
}

/** Opens the database, migrates, starts the worker and (by default) stops it on SIGTERM/SIGINT. */
export async function startWorkerProgram(options: WorkerProgramOptions): Promise<WorkerProgram> {
  const logger = options.logger ?? createLogger();
  const pluginConfig = options.pluginConfig ?? (await readPluginConfig(options.configFile));
  const database = await openDatabase({ ...databaseOptionsFromEnv(), ...options.database, applicationName: 'jobby-worker', logger });
  let metricsServer: Server | undefined;
  try {
    if (!options.skipMigrate) {
      for (let failures = 0; ; failures++) {
        try {
          await migrate(database);
          break;
        } catch (error) {
          if (!isTransientDatabaseError(error)) throw error;
          logger.warn({ err: error }, 'database unavailable; retrying migrations');
          await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** Math.min(failures, 6))));
        }
      }
    }
    const worker = createWorker({
      database,
      registry: options.registry,
      concurrency: options.concurrency,
      prefetch: options.prefetch,
      plugins: options.plugins,
      workersMode: options.workersMode,
      jobsMode: options.jobsMode,
      leaseSeconds: options.leaseSeconds,
      sweepIntervalMs: options.sweepIntervalMs,
      pollIntervalMs: options.pollIntervalMs,
      shutdownGraceMs: options.shutdownGraceMs,
      dataDirectory: options.dataDirectory,
      pluginConfig,
      logger,
    });
    await worker.start();
    await warnAboutOrphanedJobTypes(database, options.registry, logger);
    if (options.metricsPort !== undefined) {
      metricsServer = await serveMetrics(createWorkerMetrics(worker), options.metricsPort);
      const address = metricsServer.address();
      logger.info({ url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : options.metricsPort}/metrics` }, 'metrics served');
    }
    let stopping: Promise<void> | undefined;
    const program: WorkerProgram = {
      worker,
      database,
      stop: () =>
        (stopping ??= (async () => {
          await worker.stop();
          await new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()));
          await database.close();
        })()),
    };
    if (options.handleSignals !== false) {
      const onSignal = (signal: NodeJS.Signals) => {
        logger.info({ signal }, 'stopping');
        program.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'stop failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    }
    await options.onStarted?.({ worker, database });
    return program;
  } catch (error) {
    metricsServer?.close();
    await database.close();
    throw error;
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

/**
 * Entry of the generated worker program: `await runWorkerProgram({ registry, argv })`. Prints a
 * one-line error and exits 2 on bad flags or configuration.
 */
export async function runWorkerProgram(options: { registry: JobbyRegistry; argv: readonly string[] }): Promise<WorkerProgram | undefined> {
  let parsed;
  try {
    parsed = parseWorkerArguments(options.argv);
  } catch (error) {
    process.stderr.write(`error: ${describeError(error)}\n${'Run with --help for usage.'}\n`);
    process.exitCode = 2;
    return undefined;
  }
  if (parsed.help) {
    process.stdout.write(`${workerProgramUsage}\n`);
    return undefined;
  }
  try {
    return await startWorkerProgram({ ...parsed, registry: options.registry });
  } catch (error) {
    process.stderr.write(`error: ${describeError(error)}\n`);
    process.exitCode = JobbyError.isInstance(error) && ['CONFIGURATION_INVALID', 'REGISTRY_CONFLICT', 'REGISTRY_INVALID', 'INVALID_ARGUMENT'].includes(error.code) ? 2 : 1;
    return undefined;
  }
}
