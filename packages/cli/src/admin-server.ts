import type { AdminServer, AdminServerOptions } from '@jobby/admin';
import { openDatabase, type JobbyDatabase } from '@jobby/core';
import { CliError, exitCodes } from './cli-error.js';
import { integerOption } from './options.js';

/** The admin's statement timeout unless `JOBBY_ADMIN_STATEMENT_TIMEOUT_MS` says otherwise. */
export const defaultAdminStatementTimeoutMs = 5_000;

/**
 * Starts the admin server of `@jobby/admin`, loaded on demand: only `jobby admin` and
 * `jobby worker --admin-port` pay for loading it. On the embedded database the quick-start mode is
 * on (mutations open without a token, and the UI says so); otherwise mutations need
 * `JOBBY_ADMIN_TOKEN`.
 *
 * The admin's reads go to a pool of their own (4 connections), on `JOBBY_ADMIN_DATABASE_URL` (a
 * read replica) if set, else on the primary, with the statement timeout: a dashboard can neither
 * take the worker's connections nor hold the queue's tables for long. On the embedded database
 * (one session shared by every process) reads share `database`, without a timeout.
 */
export async function startAdmin(options: AdminServerOptions, env: NodeJS.ProcessEnv = process.env): Promise<AdminServer> {
  const module = await loadAdmin();
  const readDatabase = await openAdminReadDatabase(options.database, env);
  try {
    const server = await module.startAdminServer({
      host: '127.0.0.1',
      embedded: options.database.kind === 'embedded',
      ...options,
      ...(readDatabase ? { readDatabase } : {}),
    });
    return { ...server, close: () => server.close().finally(() => readDatabase?.close()) };
  } catch (error) {
    await readDatabase?.close();
    throw error;
  }
}

/** `JOBBY_ADMIN_STATEMENT_TIMEOUT_MS`: milliseconds, 0 = no timeout. */
export function adminStatementTimeoutMs(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = env.JOBBY_ADMIN_STATEMENT_TIMEOUT_MS;
  const ms = value ? integerOption('JOBBY_ADMIN_STATEMENT_TIMEOUT_MS', value, 0, 2_147_483_647) : defaultAdminStatementTimeoutMs;
  return ms === 0 ? undefined : ms;
}

async function openAdminReadDatabase(primary: JobbyDatabase, env: NodeJS.ProcessEnv): Promise<JobbyDatabase | undefined> {
  const connectionString = env.JOBBY_ADMIN_DATABASE_URL || (primary.kind === 'postgres' ? primary.connectionString : undefined);
  if (!connectionString) return undefined;
  return openDatabase({ connectionString, schema: primary.schema, poolSize: 4, applicationName: 'jobby-admin-reads', statementTimeoutMs: adminStatementTimeoutMs(env) });
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
