import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { backoffDelay, isTransientDatabaseError, migrate, openDatabase } from '@jobby/core';

/**
 * A scenario's own schema: jobby's migrations, then the chaos audit tables, triggers and a view
 * (created here, never by jobby's migrations):
 * - `chaos_enqueued`: jobs whose enqueue committed (written by the harness after the commit);
 * - `chaos_executions`: one row per handler execution, written by the handler in its own autocommit;
 * - `chaos_claims`: one row per claim, written by a trigger on `job_running` (a claim inserts the
 *   job's running row) in the claim's transaction; `claimed_at` is the running row's own claim time
 *   (the claim transaction's start, the clock its rate-limit window uses);
 * - `chaos_completions`: one row per final outcome, written by a trigger on `job_outcomes` (rows with
 *   `final`) inside the completion (or failure, rescue, cancellation) transaction, with the job's
 *   reset count at the time (`epoch`): a job has at most one final outcome per epoch;
 * - `chaos_resets`: a finished job queued again (the admin's retry or re-run: the only way a job
 *   with a final outcome gets a queue row), written by a trigger on `job_queue`;
 * - `chaos_jobs`: a view of each job's state read from the raw tables (its queue row, running row,
 *   latest outcome), written apart from the store's `job_snapshots` so that the checker does not
 *   take the store's word for it; it also names the states the store cannot produce ('inconsistent':
 *   queued and running at once; 'stateless': a record with no state at all).
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
    create table ${schema}.chaos_claims (id bigserial primary key, job_id bigint not null, attempt int not null, attempt_token bigint not null,
      worker_id text, at timestamptz not null default clock_timestamp(), claimed_at timestamptz);
    create index on ${schema}.chaos_claims (job_id);
    create table ${schema}.chaos_resets (id bigserial primary key, job_id bigint not null, at timestamptz not null default clock_timestamp());
    create index on ${schema}.chaos_resets (job_id);
    create table ${schema}.chaos_completions (id bigserial primary key, job_id bigint not null, state text not null, outcome text not null,
      attempts int not null, error_code text, epoch int not null, at timestamptz not null default clock_timestamp());
    create index on ${schema}.chaos_completions (job_id);

    create function ${schema}.chaos_audit_claim() returns trigger language plpgsql as $$
    begin
      insert into ${schema}.chaos_claims (job_id, attempt, attempt_token, worker_id, claimed_at)
      values (new.job_id, new.attempt, new.attempt_token, (select w.id from ${schema}.workers w where w.number = new.worker), new.claimed_at);
      return null;
    end $$;
    create trigger chaos_audit_claim after insert on ${schema}.job_running for each row execute function ${schema}.chaos_audit_claim();

    create function ${schema}.chaos_audit_outcome() returns trigger language plpgsql as $$
    begin
      insert into ${schema}.chaos_completions (job_id, state, outcome, attempts, error_code, epoch)
      values (new.job_id, case new.outcome when 'succeeded' then 'succeeded' when 'cancelled' then 'cancelled' else 'failed' end,
              new.outcome::text, new.attempt, new.error->>'code',
              (select count(*) from ${schema}.chaos_resets r where r.job_id = new.job_id));
      return null;
    end $$;
    -- On the partitioned table: Postgres clones it onto every partition, those made later too.
    create trigger chaos_audit_outcome after insert on ${schema}.job_outcomes for each row when (new.final)
      execute function ${schema}.chaos_audit_outcome();

    create function ${schema}.chaos_audit_reset() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from ${schema}.chaos_completions c where c.job_id = new.job_id) then
        insert into ${schema}.chaos_resets (job_id) values (new.job_id);
      end if;
      return null;
    end $$;
    create trigger chaos_audit_reset after insert on ${schema}.job_queue for each row execute function ${schema}.chaos_audit_reset();

    create view ${schema}.chaos_jobs as
    select j.id, j.type_id, j.key, j.created_at,
      case
        when q.job_id is not null and r.job_id is not null then 'inconsistent'
        when q.job_id is not null then case when q.pending_dependencies > 0 then 'waiting' else 'queued' end
        when r.job_id is not null then 'running'
        when o.final then case o.outcome when 'succeeded' then 'succeeded' when 'cancelled' then 'cancelled' else 'failed' end
        else 'stateless'
      end as state,
      coalesce(q.attempts, r.attempt, o.attempt, 0) as attempts,
      o.error as last_error,
      w.id as worker_id
    from ${schema}.jobs j
    left join ${schema}.job_queue q on q.job_id = j.id
    left join ${schema}.job_running r on r.job_id = j.id
    left join ${schema}.workers w on w.number = r.worker
    left join lateral (
      select o.final, o.outcome, o.attempt, o.error from ${schema}.job_outcomes o
      where o.job_id = j.id order by o.finished_at desc, o.attempt desc limit 1
    ) o on true;
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
  for (let failures = 1; ; failures++) {
    try {
      return await pool.query<R>(text, values);
    } catch (error) {
      if (!isTransientDatabaseError(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(failures, { baseMs: 50, maxMs: 1_000 })));
    }
  }
}
