import { sql } from 'kysely';
import { integerArrayLiteral } from './array-parameters.js';
import type { StoreContext } from './store-context.js';

/**
 * Runs the hot functions (claim, completion, enqueue) once, with nothing to do, on several pooled
 * connections at once, so that the first jobs a new worker picks up do not pay for it.
 *
 * Why: Postgres compiles a PL/pgSQL function and plans its statements once per session, on first
 * use. A claim on a fresh connection took 35–40 ms instead of ~2 (scripts/probe-latency.ts in
 * tools/bench), and a worker's pool opens its connections as load arrives: its first pickups were
 * its slowest.
 *
 * Each call holds its connection until every call holds one (so that they run on distinct
 * connections; node-postgres reuses the most recently released one), or until `holdTimeoutMs` has
 * passed when the pool is busy elsewhere. The calls change nothing: a claim of 0 jobs, a
 * completion and enqueues (both functions) of empty batches. Returns how many connections were
 * warmed.
 */
export interface ConnectionWarmUpParams {
  connections: number;
  /** The worker's types, for the claim (of 0 jobs). */
  typeIds: readonly number[];
  workerId: string;
  holdTimeoutMs?: number;
}

export async function connectionWarmUp(context: StoreContext, params: ConnectionWarmUpParams): Promise<number> {
  const { tables } = context;
  const count = Math.max(1, Math.floor(params.connections));
  let holding = 0;
  let everyoneHolds!: () => void;
  const allHolding = new Promise<void>((resolve) => (everyoneHolds = resolve));
  const timeout = setTimeout(everyoneHolds, params.holdTimeoutMs ?? 1_000);
  const typeIds = integerArrayLiteral(params.typeIds);
  try {
    await Promise.all(
      Array.from({ length: count }, () =>
        context.db.connection().execute(async (connection) => {
          if (++holding === count) everyoneHolds();
          await allHolding;
          await sql`select count(*) from ${tables.jobClaimFunction}(${typeIds}::integer[], 0, ${params.workerId}::text, 60)`.execute(connection);
          await sql`select count(*) from ${tables.jobCompleteManyFunction}('{}'::bigint[], '{}'::bigint[], null, null, null, null, null, ${context.jobsChannel}::text)`.execute(connection);
          for (const enqueueFunction of [tables.jobEnqueueManyFunction, tables.jobEnqueueNewFunction]) {
            await sql`select count(*) from ${enqueueFunction}(
              '{}'::integer[], '{}'::text[], '{}'::jsonb[], '{}'::integer[], null, null, null, null, ${context.defaultMaxAttempts}::integer, ${context.jobsChannel}::text)`.execute(connection);
          }
        }),
      ),
    );
  } finally {
    clearTimeout(timeout);
  }
  return count;
}
