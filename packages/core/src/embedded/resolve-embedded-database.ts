/**
 * Connect-or-start for the embedded database: the first process to need a data directory serves
 * it; every later one (a second worker, the CLI) connects to that server.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EmbeddedLogger, DEFAULT_EMBEDDED_HOST, embeddedConnectionString, lockedError, startEmbeddedServerWithLock } from './embedded-server.js';
import { type EmbeddedLockInfo, embeddedLockPath, readLock, tryAcquireLock } from './embedded-lock.js';
import { probePostgres } from './wire-probe.js';

export interface ConnectEmbeddedOptions {
  /** The PGlite data directory (see `defaultEmbeddedDataDir`). */
  dataDir: string;
  logger?: EmbeddedLogger;
  /** Where to listen when this process becomes the owner; default 127.0.0.1. */
  host?: string;
  /** Simultaneous connections when this process becomes the owner; default 32. */
  maxConnections?: number;
  /** How long to wait for an owner that is starting or closing; default 60 s. */
  waitTimeoutMs?: number;
  /** How long the check query against a live owner may take; default 10 s. */
  connectTimeoutMs?: number;
}

export interface EmbeddedConnection {
  connectionString: string;
  /** True when this process started the server (and must keep running for others to use it). */
  owned: boolean;
  /** The owner stops its server; a client has nothing to release. */
  close(): Promise<void>;
}

/**
 * Returns a connection string for the embedded database in `dataDir`: the one of the live process
 * that serves it (`owned: false`), or of a server started here (`owned: true`). Throws
 * `DATABASE_LOCKED` when a live owner exists but cannot be reached, or stays starting or closing
 * longer than `waitTimeoutMs`.
 */
export async function connectEmbedded(options: ConnectEmbeddedOptions): Promise<EmbeddedConnection> {
  const dataDir = path.resolve(options.dataDir);
  const host = options.host ?? DEFAULT_EMBEDDED_HOST;
  const deadline = Date.now() + (options.waitTimeoutMs ?? 60_000);
  let lastOwner: EmbeddedLockInfo | null = null;

  for (;;) {
    const acquired = await tryAcquireLock(dataDir, host);
    if (acquired.kind === 'acquired') {
      const server = await startEmbeddedServerWithLock(acquired.handle, {
        dataDir,
        host,
        ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
        ...(options.logger === undefined ? {} : { logger: options.logger }),
      });
      return { connectionString: server.connectionString, owned: true, close: () => server.close() };
    }
    lastOwner = acquired.info ?? lastOwner;

    if (acquired.verdict === 'live' && acquired.info?.port != null) {
      const owner = acquired.info;
      const connectionString = embeddedConnectionString(owner.host, owner.port as number);
      try {
        await probePostgres(owner.host, owner.port as number, options.connectTimeoutMs ?? 10_000);
        options.logger?.info({ dataDir, pid: owner.pid, port: owner.port }, 'embedded database served by another process');
        return { connectionString, owned: false, close: async () => {} };
      } catch (error) {
        // The owner may have started closing meanwhile: then wait for it like any pending owner.
        const now = await readLock(embeddedLockPath(dataDir));
        const unchanged = typeof now === 'object' && now.token === owner.token && now.state === 'ready';
        if (unchanged || Date.now() > deadline) throw lockedError(dataDir, owner.pid, error);
      }
    }

    if (Date.now() > deadline) throw lockedError(dataDir, lastOwner?.pid ?? null);
    await sleep(100);
  }
}

