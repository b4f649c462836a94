import type { Logger } from 'pino';
import type { JobbyDatabase } from '../../store/database.js';
import type { JobStore } from '../../store/job-store.js';

export interface WarmUpConnectionsParams {
  database: JobbyDatabase;
  store: JobStore;
  logger: Logger;
  /** Wanted; capped at the pool's size (1 on the embedded database, one session underneath). 0: none. */
  connections: number;
  typeIds: number[];
  workerId: string;
}

/**
 * Runs the claim, completion and enqueue functions once on pooled connections at start, so that the
 * first jobs do not pay for their compilation (see store/connection-warm-up.ts). An optimization
 * only: a failure is logged and the first jobs pay the compilation instead.
 *
 * @example
 * ```ts
 * await warmUpConnections({ database, store, logger, connections: 4, typeIds: [3000], workerId });
 * ```
 */
export async function warmUpConnections(params: WarmUpConnectionsParams): Promise<void> {
  const { database, store, logger } = params;
  const poolSize = database.kind === 'embedded' ? 1 : (database.pool.options.max ?? 10);
  const connections = Math.min(params.connections, poolSize);
  if (connections <= 0) return;
  const started = performance.now();
  try {
    await store.connectionWarmUp({ connections, typeIds: params.typeIds, workerId: params.workerId });
    logger.debug({ connections, ms: Math.round(performance.now() - started) }, 'pooled connections warmed up');
  } catch (error) {
    logger.warn({ err: error }, 'warming up pooled connections failed; the first jobs will be slower');
  }
}
