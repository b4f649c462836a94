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
 * passed when the pool is busy elsewhere, or until one call failed to get a connection. The calls
 * change nothing: a claim of 0 jobs, a completion and enqueues (both functions) of empty batches.
 * Returns how many connections were warmed; throws the first failure.
 *
 * Invariant: every call has given its connection back to the pool before this returns or throws.
 * A connection Postgres refused (53300 too many clients, at a busy start) used to reject the whole
 * warm-up at once and cancel the hold timeout, while the calls that had a connection went on
 * waiting for the refused one to arrive: they held their connections forever, the pool shrank by
 * as many, and closing the database (which waits for every connection to come back) hung, so a
 * worker that started that way never exited on SIGTERM (issue 16, item 2).
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
  const typeIds = integerArrayLiteral(params.typeIds);
  let holding = 0;
  let go!: () => void;
  // Resolved when every call holds a connection, when the hold timeout passes, or when a call
  // failed (it will never hold one): whichever comes first. Never left pending.
  const released = new Promise<void>((resolve) => (go = resolve));
  const timeout = setTimeout(go, params.holdTimeoutMs ?? 1_000);
  const calls = Array.from({ length: count }, () =>
    context.db.connection().execute(async (connection) => {
      if (++holding === count) go();
      await released;
      await sql`select count(*) from ${tables.fn('job_claim')}(${typeIds}::integer[], 0, ${params.workerId}::text, 60)`.execute(connection);
      await sql`select count(*) from ${tables.fn('job_complete_many')}('{}'::bigint[], '{}'::bigint[], null, null, null, null, null, ${context.jobsChannel}::text)`.execute(connection);
      for (const enqueueFunction of [tables.fn('job_enqueue_many'), tables.fn('job_enqueue_new')]) {
        await sql`select count(*) from ${enqueueFunction}(
          '{}'::integer[], '{}'::text[], '{}'::jsonb[], '{}'::integer[], null, null, null, null, null, null, ${context.defaultMaxAttempts}::integer, ${context.jobsChannel}::text)`.execute(connection);
      }
    }),
  );
  for (const call of calls) call.catch(go);
  // allSettled, not all: the first failure must not return while other calls still hold connections.
  const outcomes = await Promise.allSettled(calls);
  clearTimeout(timeout);
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failure) throw failure.reason;
  return count;
}
