import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createAdminApp, type AdminAppOptions } from './app.js';

export interface AdminServerOptions extends Omit<AdminAppOptions, 'host'> {
  /** 0 = any free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface AdminServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts the admin server (API and UI) on `host:port`.
 *
 * @example
 * ```ts
 * const admin = await startAdminServer({ database, registry, port: 4000 });
 * console.log(`admin UI at ${admin.url}`);
 * await admin.close();
 * ```
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const host = options.host ?? '127.0.0.1';
  const app = createAdminApp({ ...options, host });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: host }, () => resolve(started));
    started.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  options.logger?.info({ url }, 'admin server listening');
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        const closable = server as unknown as { close(callback: (error?: Error) => void): void; closeAllConnections?: () => void };
        closable.close((error) => (error ? reject(error) : resolve()));
        closable.closeAllConnections?.();
      }),
  };
}
