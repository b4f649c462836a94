import { createLogger, runWorker } from '@jobby/core';
import type { AdminServer } from '@jobby/admin';
import { startAdmin } from '../admin-server.js';
import { portOption } from '../options.js';
import type { CommandContext } from '../program.js';
import { loadRegistry } from '../project.js';
import { stopOnSignals } from '../stop-on-signals.js';
import { workerOptionsFromFlags, type WorkerFlags } from '../worker-flags.js';

/** `jobby worker`: the worker with the generated registry, and optionally the admin UI. */
export async function workerAction(flags: WorkerFlags & { adminPort?: string }, context: CommandContext): Promise<void> {
  const options = workerOptionsFromFlags(flags);
  const adminPort = flags.adminPort === undefined ? undefined : portOption('--admin-port', flags.adminPort);
  const registry = await loadRegistry(context.io.cwd);
  const logger = createLogger();
  const running = await runWorker({ ...options, registry, logger });
  let admin: AdminServer | undefined;
  if (adminPort !== undefined) {
    try {
      admin = await startAdmin({ database: running.database, registry, port: adminPort, worker: running.worker });
      context.io.stdout(`Admin UI: ${admin.url}\n`);
    } catch (error) {
      await running.stop();
      throw error;
    }
  }
  stopOnSignals(() => Promise.all([admin?.close(), running.stop()]), logger);
  context.longRunning = true;
}
