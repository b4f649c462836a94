import pg from 'pg';
import { seedInChunks } from '../seed-chunks.js';

/**
 * The bench's jobby SQL for the one-table store (before store v2: `jobs` with its state,
 * `job_keys`, `job_attempts`), kept for A/B runs against a core of that time
 * (`BENCH_JOBBY_CORE`, see the README): `src/systems/jobby.ts` picks these when the schema it
 * migrated has no `job_queue`. Not maintained beyond that; the current store's SQL is in jobby.ts.
 */

export async function isOneTableStore(pool: pg.Pool, schema: string): Promise<boolean> {
  return (await pool.query(`select to_regclass('"${schema}".job_queue') is null as one_table`)).rows[0].one_table as boolean;
}

export async function unfinishedOneTable(pool: pg.Pool, schema: string): Promise<number> {
  const jobs = `"${schema}".jobs`;
  const { rows } = await pool.query(
    `select (select count(*) from ${jobs} where state in ('queued', 'waiting'))::int + (select count(*) from ${jobs} where state = 'running')::int as n`,
  );
  return rows[0].n;
}

export async function fillFinishedOneTable(pool: pg.Pool, schema: string, count: number): Promise<void> {
  await pool.query(
    `insert into "${schema}".jobs (type_id, key, state, input, input_bytes, attempts, attempt_token, worker_id, ready_at, started_at, finished_at)
     select 9000, 'old-' || g, 'succeeded', jsonb_build_object('i', g), 12, 1, g, 'bench-old', now(), now(), now()
     from generate_series(1, $1::int) g`,
    [count],
  );
  // Their identities too (migration 0004), as the store wrote them; a core from before that
  // migration has no job_keys.
  if ((await pool.query(`select to_regclass('"${schema}".job_keys') is not null as present`)).rows[0].present) {
    await pool.query(`insert into "${schema}".job_keys (type_id, key, job_id) select type_id, key, id from "${schema}".jobs`);
  }
}

export const oneTableTables = ['jobs', 'job_keys', 'job_attempts', 'job_dependencies'];

/** `process-history`'s history as the one-table store kept it (see jobby.ts for the spread). */
export async function fillHistoryOneTable(connectionString: string, schema: string, count: number): Promise<void> {
  const s = `"${schema}"`;
  const setup = new pg.Client({ connectionString, application_name: 'bench-seed' });
  await setup.connect();
  try {
    await setup.query(
      `insert into ${s}.job_types (id, name) select 9000 + n, 'bench.Past' || n from generate_series(1, 9) n on conflict do nothing`,
    );
  } finally {
    await setup.end();
  }
  // The outcome of job n, from a hash of its id: 0.8% cancelled, 3% failed, the rest succeeded.
  const outcome = (n: string) =>
    `case when abs(hashint8(${n})) % 1000 < 8 then 'cancelled' when abs(hashint8(${n})) % 1000 < 38 then 'failed' else 'succeeded' end`;
  const fill = async (client: pg.Client, first: number, last: number) => {
    await client.query(
      `with source as (
         select g as id,
                ${outcome('g')} as state,
                -- the bench's own type 35%, nine others ~7% each
                case when abs(hashint8(g # 1540483477)) % 100 < 35 then 9000
                     else 9001 + (abs(hashint8(g # 1540483477)) % 100 - 35) % 9 end as type_id,
                -- every 20th job waited on its predecessor (in the same chunk, which succeeded)
                g % 20 = 0 and g > $1::bigint and ${outcome('g - 1')} = 'succeeded' as dependent,
                abs(hashint8(g # 40503)) % 100 < 3 as retried,
                now() - interval '14 days' * (1 - (g - 1)::float8 / $3::float8) - random() * interval '1 minute' as finished_at,
                (5 + power(random(), 3) * 5000) * interval '1 millisecond' as run,
                power(random(), 8) * interval '1 minute' as delay
         from generate_series($1::bigint, $2::bigint) g
       ),
       shaped as (
         select s.*,
                jsonb_build_object('i', s.id, 'tenant', 'tenant-' || s.id % 97) as input,
                case s.state when 'succeeded' then 1 + s.retried::int when 'failed' then 3 else 0 end as attempts,
                case when s.state = 'cancelled' then null else s.finished_at - s.run end as started_at
         from source s
       ),
       inserted as (
         insert into ${s}.jobs (id, type_id, key, state, priority, run_at, attempts, max_attempts, attempt_token, worker_id,
                                pending_dependencies, dependency_count, input, input_bytes, output, output_bytes, last_error,
                                created_at, ready_at, started_at, finished_at)
         overriding system value
         select x.id, x.type_id, 'h' || lpad(x.id::text, 10, '0'), x.state::${s}.job_state, 0,
                coalesce(x.started_at, x.finished_at) - x.delay - interval '1 second' * x.dependent::int,
                x.attempts, case x.state when 'failed' then 3 else 25 end,
                case when x.attempts > 0 then x.id end,
                case when x.attempts > 0 then 'bench-host-' || x.id % 3 || '-' || 1000 + x.id % 7 end,
                0, x.dependent::int, x.input, octet_length(x.input::text),
                case when x.state = 'succeeded' then jsonb_build_object('items', x.id % 500) end,
                case when x.state = 'succeeded' then octet_length(jsonb_build_object('items', x.id % 500)::text) end,
                case x.state when 'failed' then jsonb_build_object('code', 'HANDLER_ERROR', 'message', 'upstream answered 503')
                             when 'cancelled' then jsonb_build_object('code', 'JOB_CANCELLED', 'message', 'cancelled by a person') end,
                coalesce(x.started_at, x.finished_at) - x.delay - interval '1 second' * x.dependent::int,
                coalesce(x.started_at, x.finished_at) - x.delay,
                x.started_at, x.finished_at
         from shaped x
         returning id, type_id, key, state, attempts, worker_id, started_at, finished_at, last_error, dependency_count
       ),
       keys as (
         insert into ${s}.job_keys (type_id, key, job_id) select type_id, key, id from inserted
       ),
       attempts as (
         insert into ${s}.job_attempts (job_id, attempt, worker_id, started_at, finished_at, outcome, error)
         select i.id, a, i.worker_id,
                i.started_at - (i.attempts - a) * interval '30 seconds',
                i.started_at - (i.attempts - a) * interval '30 seconds' + interval '200 milliseconds',
                'failed',
                coalesce(i.last_error, jsonb_build_object('code', 'HANDLER_ERROR', 'message', 'upstream answered 503'))
         from inserted i cross join lateral generate_series(1, case when i.state = 'failed' then i.attempts else i.attempts - 1 end) a
         where i.state = 'failed' or (i.state = 'succeeded' and i.attempts > 1)
       )
       insert into ${s}.job_dependencies (job_id, depends_on_id)
       select id, id - 1 from inserted where dependency_count = 1`,
      [first, last, count],
    );
  };
  await seedInChunks(connectionString, count, fill);
  const after = new pg.Client({ connectionString, application_name: 'bench-seed' });
  await after.connect();
  try {
    // New jobs and claims continue after the history, as they would have.
    await after.query(`select setval(pg_get_serial_sequence('${s}.jobs', 'id'), $1), setval('${s}.attempt_token_seq', $1)`, [count]);
  } finally {
    await after.end();
  }
}

