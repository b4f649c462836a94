import { createLogger, describeError, parseWorkerArguments, startWorkerProgram } from '@jobby/core';
import type { AdminServer } from '@jobby/admin';
import { startAdmin } from '../admin-server.js';
import { CliError } from '../cli-error.js';
import { portOption } from '../options.js';
import type { CommandContext } from '../program.js';
import { loadRegistry } from '../project.js';

export interface WorkerFlags {
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

/** `jobby worker`: the worker program with the generated registry, and optionally the admin UI. */
export async function workerAction(flags: WorkerFlags, context: CommandContext): Promise<void> {
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
}
