import { migrate, openDatabase, databaseOptionsFromEnv } from '@jobby/core';
import { adminStatementTimeoutMs, checkAdminExposure, startAdmin } from '../admin-server.js';
import { withDatabase } from '../database.js';
import { hostOption, portOption } from '../options.js';
import type { CommandContext } from '../program.js';
import { loadRegistry } from '../project.js';

export const defaultAdminPort = 4280;

/** `jobby admin`. */
export async function adminAction(flags: { port?: string; host?: string }, context: CommandContext): Promise<void> {
  const port = flags.port === undefined ? defaultAdminPort : portOption('--port', flags.port);
  const host = flags.host === undefined ? '127.0.0.1' : hostOption('--host', flags.host);
  // Before anything is opened: beyond loopback without a token is refused (exit 2).
  await checkAdminExposure(host);
  const statementTimeoutMs = adminStatementTimeoutMs();
  const registry = await loadRegistry(context.io.cwd);
  const databaseOptions = databaseOptionsFromEnv();
  // Migrations may take longer than the admin's statement timeout: on a connection of their own.
  // (The embedded database has no timeout: one session is shared by every process.)
  if (databaseOptions.connectionString) await withDatabase(migrate, { poolSize: 1 });
  const database = await openDatabase({
    ...databaseOptions,
    applicationName: 'jobby-admin',
    ...(databaseOptions.connectionString && statementTimeoutMs !== undefined ? { statementTimeoutMs } : {}),
  });
  try {
    if (!databaseOptions.connectionString) await migrate(database);
    const admin = await startAdmin({ database, registry, port, host });
    context.io.stdout(`Admin UI: ${admin.url}\n`);
    const stop = () => {
      Promise.all([admin.close()])
        .then(() => database.close())
        .then(
          () => process.exit(0),
          () => process.exit(1),
        );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    context.longRunning = true;
  } catch (error) {
    await database.close();
    throw error;
  }
}
