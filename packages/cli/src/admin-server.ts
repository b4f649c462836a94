import type { AdminServer, AdminServerOptions } from '@jobby/admin';
import { CliError, exitCodes } from './cli-error.js';

/**
 * Starts the admin server of `@jobby/admin`, loaded on demand: only `jobby admin` and
 * `jobby worker --admin-port` pay for loading it. On the embedded database the quick-start mode is
 * on (mutations open without a token, and the UI says so); otherwise mutations need
 * `JOBBY_ADMIN_TOKEN`.
 */
export async function startAdmin(options: AdminServerOptions): Promise<AdminServer> {
  const module = await loadAdmin();
  return module.startAdminServer({ host: '127.0.0.1', embedded: options.database.kind === 'embedded', ...options });
}

/**
 * Refuses to listen beyond loopback without a token (exit 2, before the database is opened): the
 * admin's answers hold every job's payload.
 */
export async function checkAdminExposure(host: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  (await loadAdmin()).assertAdminExposure({ host, token: env.JOBBY_ADMIN_TOKEN || undefined, readToken: env.JOBBY_ADMIN_READ_TOKEN || undefined });
}

async function loadAdmin(): Promise<typeof import('@jobby/admin')> {
  try {
    return await import('@jobby/admin');
  } catch (error) {
    throw new CliError(`the admin UI needs @jobby/admin, which could not be loaded: ${(error as Error).message}`, exitCodes.failed, { cause: error });
  }
}
