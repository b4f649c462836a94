import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { isTransientDatabaseError, migrate, openDatabase } from '@jobby/core';

/**
 * A scenario's own schema: jobby's migrations, then the chaos audit tables and triggers (created
 * here, never by jobby's migrations):
 * - `chaos_enqueued`: jobs whose enqueue committed (written by the harness after the commit);
 * - `chaos_executions`: one row per handler execution, written by the handler in its own autocommit;
 * - `chaos_claims`: one row per claim (state → running), written by a trigger in the claim's transaction;
 * - `chaos_completions`: one row per transition into a final state, written by a trigger inside the
 *   completion (or failure, rescue, cancellation) transaction.
 */

export const defaultDatabaseUrl = process.env.JOBBY_TEST_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export interface ChaosSchema {
  schema: string;
  connectionString: string;
  /** The harness's pool (application_name chaos-harness); survives Postgres restarts. */
  pool: pg.Pool;
  drop(): Promise<void>;
}

export function newPool(connectionString: string, max = 10, applicationName = 'chaos-harness'): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, application_name: applicationName, connectionTimeoutMillis: 5_000 });
  pool.on('error', () => {});
  // A client checked out between two statements (a transaction) emits 'error' on itself when its
  // backend is terminated; without a listener that crashes the process (see README, known issues).
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

export async function createChaosSchema(name: string, options: { connectionString?: string; poolSize?: number } = {}): Promise<ChaosSchema> {
  const connectionString = options.connectionString ?? defaultDatabaseUrl;
  const schema = `chaos_${name.replace(/[^a-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`;
  const database = await openDatabase({ connectionString, schema, poolSize: 2, applicationName: 'chaos-harness' });
  try {
    await migrate(database);
  } finally {
    await database.close();
  }
  const pool = newPool(connectionString, options.poolSize ?? 10);
  await pool.query(`
    create table ${schema}.chaos_enqueued (job_id bigint primary key, key text not null, kind text not null, max_attempts int not null);
    create table ${schema}.chaos_executions (id bigserial primary key, job_id bigint not null, key text not null, attempt int not null, pid int not null,
      at timestamptz not null default clock_timestamp());
    create index on ${schema}.chaos_executions (job_id);
    create table ${schema}.chaos_claims (id bigserial primary key, job_id bigint not null, attempt int not null, worker_id text,
      at timestamptz not null default clock_timestamp());
    create index on ${schema}.chaos_claims (job_id);
    create table ${schema}.chaos_completions (id bigserial primary key, job_id bigint not null, state text not null, attempts int not null,
      attempt_token bigint, error_code text, at timestamptz not null default clock_timestamp());
    create index on ${schema}.chaos_completions (job_id);
    create function ${schema}.chaos_audit() returns trigger language plpgsql as $$
    begin
      if new.state = 'running' then
        insert into ${schema}.chaos_claims (job_id, attempt, worker_id) values (new.id, new.attempts, new.worker_id);
      else
        insert into ${schema}.chaos_completions (job_id, state, attempts, attempt_token, error_code)
        values (new.id, new.state::text, new.attempts, new.attempt_token, new.last_error->>'code');
      end if;
      return null;
    end $$;
    create trigger chaos_audit_update after update of state on ${schema}.jobs for each row
      when (new.state is distinct from old.state and new.state in ('running', 'succeeded', 'failed', 'cancelled'))
      execute function ${schema}.chaos_audit();
    create trigger chaos_audit_insert after insert on ${schema}.jobs for each row
      when (new.state = 'cancelled') execute function ${schema}.chaos_audit();
  `);
  return {
    schema,
    connectionString,
    pool,
    async drop() {
      if (process.env.CHAOS_KEEP_SCHEMA !== '1') await pool.query(`drop schema if exists ${schema} cascade`).catch(() => {});
      await pool.end().catch(() => {});
    },
  };
}

/** Retries a query through Postgres restarts (up to `timeoutMs`). */
export async function queryRetrying<R extends pg.QueryResultRow>(pool: pg.Pool, text: string, values?: unknown[], timeoutMs = 60_000): Promise<pg.QueryResult<R>> {
  const deadline = Date.now() + timeoutMs;
  for (let failures = 0; ; failures++) {
    try {
      return await pool.query<R>(text, values);
    } catch (error) {
      if (!isTransientDatabaseError(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** failures)));
    }
  }
}
