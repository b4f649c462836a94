import type { Logger } from 'pino';
import type { JobCreationMode, WorkerCreationMode } from '../../contract/creation-mode.js';
import type { JobbyDatabase } from '../../store/database.js';
import type { JobbyRegistry } from '../registry.js';

export interface WorkerOptions {
  database: JobbyDatabase;
  registry: JobbyRegistry;
  workersMode?: WorkerCreationMode;
  jobsMode?: JobCreationMode;
  /** Handlers running at once in this process. Default 10. */
  concurrency?: number;
  /** Extra jobs claimed ahead of free slots (a local queue). Default 0. */
  prefetch?: number;
  /** Only these plugins. Default: all. */
  plugins?: readonly string[];
  /** Lease length; a dead worker's jobs run again after lease + sweep interval. Default 30 s. */
  leaseSeconds?: number;
  /** How often to rescue expired leases. Default 5 s. */
  sweepIntervalMs?: number;
  /**
   * Pooled connections on which start() runs the claim, completion and enqueue functions once, so
   * that the first jobs do not pay for their compilation (see store/connection-warm-up.ts). Default
   * 4 (a worker mostly uses a claim, a completion and a lease connection), at most the pool's size;
   * 1 on the embedded database (one session underneath); 0 turns it off.
   */
  warmUpConnections?: number;
  /**
   * How the notification connection is checked (store notifications wake workers and cancel
   * jobs): a round trip every `intervalMs` that must answer within `timeoutMs`, else the connection
   * is replaced, so that one a network silently dropped is noticed in seconds (see
   * notification-listener.ts). Default 3,000 and 2,000 ms.
   */
  notificationHealthCheck?: { intervalMs?: number; timeoutMs?: number };
  /** How often to prune expired finished jobs. Default 60 s. */
  pruneIntervalMs?: number;
  /** Default poll interval of workers that set none. Default 2000 ms. */
  pollIntervalMs?: number;
  /** Running jobs get this long to finish on stop before being aborted and handed back. Default 10 s. */
  shutdownGraceMs?: number;
  logger?: Logger;
  workerId?: string;
  /** Per-plugin configuration sections, passed to each module's initializer. */
  pluginConfig?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Where plugins keep local files. Default `.jobby/plugins`. */
  dataDirectory?: string;
  maxPayloadBytes?: number;
}
