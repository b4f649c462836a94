import { createLogger, describeError, parseWorkerArguments, startWorkerProgram } from '@jobby/core';
import type { Command } from 'commander';
import type { AdminServer } from '@jobby/admin';
import { startAdmin } from '../admin-server.js';
import { CliError } from '../cli-error.js';
import { portOption } from '../options.js';
import type { CommandContext } from '../program.js';
import { loadRegistry } from '../project.js';

interface WorkerFlags {
  concurrency?: string;
  prefetch?: string;
  plugins?: string;
  workersMode?: string;
  jobsMode?: string;
  leaseSeconds?: string;
  graceMs?: string;
  metricsPort?: string;
  schema?: string;
  config?: string;
  dataDir?: string;
  skipMigrate?: boolean;
  adminPort?: string;
}

/** Commander's parsed flags back to the worker program's own argv, which it validates itself. */
function workerArgv(flags: WorkerFlags): string[] {
  const pairs: [string, string | undefined][] = [
    ['--concurrency', flags.concurrency],
    ['--prefetch', flags.prefetch],
    ['--plugins', flags.plugins],
    ['--workers-mode', flags.workersMode],
    ['--jobs-mode', flags.jobsMode],
    ['--lease-seconds', flags.leaseSeconds],
    ['--grace-ms', flags.graceMs],
    ['--metrics-port', flags.metricsPort],
    ['--schema', flags.schema],
    ['--config', flags.config],
    ['--data-dir', flags.dataDir],
  ];
  return [...pairs.flatMap(([flag, value]) => (value === undefined ? [] : [flag, value])), ...(flags.skipMigrate ? ['--skip-migrate'] : [])];
}

export function registerWorker(program: Command, context: CommandContext): void {
  program
    .command('worker')
    .description('run the worker for every plugin of the generated registry (stops gracefully on SIGTERM/SIGINT, exit 0)')
    .option('--concurrency <n>', 'handlers running at once (default 10)')
    .option('--prefetch <n>', 'jobs claimed ahead of free slots (default 0)')
    .option('--plugins <a,b>', 'only these plugins')
    .option('--workers-mode <mode>', 'none|local|production: which workers the modules register (default production)')
    .option('--jobs-mode <mode>', 'none|local|production: which startup jobs the modules submit (default production)')
    .option('--lease-seconds <n>', 'lease length; a dead worker\'s jobs run again after it expires (default 30)')
    .option('--grace-ms <n>', 'on SIGTERM, running jobs get this long to finish before being handed back (default 10000)')
    .option('--metrics-port <port>', 'serve Prometheus metrics on 127.0.0.1:<port>/metrics')
    .option('--schema <name>', 'Postgres schema (default jobby, or JOBBY_SCHEMA)')
    .option('--config <file>', 'plugin configuration, JSON {"plugins": {"<name>": {...}}} (default jobby.config.json if present)')
    .option('--data-dir <dir>', 'where plugins keep local files (default .jobby/plugins)')
    .option('--skip-migrate', 'do not apply migrations at start')
    .option('--admin-port <port>', 'also serve the admin UI on 127.0.0.1:<port> (0: any free port)')
    .action(async (flags: WorkerFlags) => {
      let parsed;
      try {
        parsed = parseWorkerArguments(workerArgv(flags));
      } catch (error) {
        throw new CliError(describeError(error));
      }
      const adminPort = flags.adminPort === undefined ? undefined : portOption('--admin-port', flags.adminPort);
      const registry = await loadRegistry(context.io.cwd);
      const { help: _help, ...options } = parsed;
      const logger = createLogger();
      const worker = await startWorkerProgram({ ...options, registry, logger, handleSignals: false });
      let admin: AdminServer | undefined;
      if (adminPort !== undefined) {
        try {
          admin = await startAdmin({ database: worker.database, registry, port: adminPort, worker: worker.worker });
          context.io.stdout(`Admin UI: ${admin.url}\n`);
        } catch (error) {
          await worker.stop();
          throw error;
        }
      }
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'stopping');
        Promise.all([admin?.close(), worker.stop()]).then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'stop failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      context.longRunning = true;
    });
}
