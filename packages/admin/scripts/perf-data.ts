import type { JobbyDatabase } from '@jobby/core';

/**
 * Synthetic data for the admin performance script, in the store-v2 tables: `count` jobs of the
 * demo registry's five types created over the last 30 days (ids grow with created_at, as in a
 * live queue). The newest ~1 % are recent and half of them still live (job_queue: queued or
 * waiting; job_running: running); the older ones finished: ~93 % succeeded (5 % after a failed
 * first attempt), ~4 % failed (three failed attempts, the last final), ~3 % cancelled — one
 * job_outcomes row per attempt, in job-id order as completions append them. Every Combine job
 * depends on the two jobs before it; one workflow of 500 jobs (a root fanning out to 497 jobs
 * that fan into two) is added for the DAG measurement. job_stats holds the rollups the
 * completions would have bumped (per minute for the last two days, per hour before, as
 * job_stats_compact leaves them).
 *
 * Set-based and deterministic: every value is a hash of the job's number (no random(), so each
 * table's statement derives the same job), inserted with `INSERT … SELECT generate_series`; the
 * identity index (type_id, key) is built after the load, as a sort rather than 10 million random
 * inserts. Inputs 30–150 bytes, outputs 25–185 bytes.
 */
export async function loadPerfData(
  database: Pick<JobbyDatabase, 'pool' | 'schema'>,
  count: number,
  log: (message: string) => void = () => {},
): Promise<{ dagRootId: string; sampleJobId: string }> {
  const schema = `"${database.schema}"`;
  const connection = await database.pool.connect();
  const run = async <Row>(label: string, text: string): Promise<Row[]> => {
    const started = Date.now();
    const result = await connection.query(text);
    if (label) log(`  ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result.rows as Row[];
  };
  const activeFrom = Math.floor(count * 0.99);
  try {
    await run('', `set synchronous_commit = off`);
    await run('', `set maintenance_work_mem = '512MB'`);
    await run('', `set search_path = ${schema}`);
    // A pseudo-random number in [0, 1) for job g and stream k.
    await run('', `create function pg_temp.r(g bigint, k integer) returns float8 language sql immutable parallel safe
                   as $$ select (hashint8(g * 16 + k)::float8 + 2147483648) / 4294967296 $$`);
    const [{ base }] = await run<{ base: string }>('', `select (now() - interval '1 minute')::text as base`) as [{ base: string }];
    await run('', `
      create temporary view seed as
      select g, type_id, created, ready, ready + delay as started, ready + delay + run as finished, state, retried,
             jsonb_build_object('value', g, 'label', repeat('x', (size * 120)::int)) as input,
             case when state = 'succeeded' then jsonb_build_object('doubled', g * 2, 'note', repeat('y', (size * 160)::int)) end as output
      from (
        select g, type_id, created,
               created + make_interval(secs => pg_temp.r(g, 1) * 2) as ready,
               make_interval(secs => -ln(1 - pg_temp.r(g, 2)) * 0.5) as delay,
               make_interval(secs => (type_id - 6999) * 0.02 * (1 + 4 * pg_temp.r(g, 3) ^ 2)) as run,
               pg_temp.r(g, 4) as size,
               pg_temp.r(g, 6) < 0.05 as retried,
               case
                 when g <= ${activeFrom} then
                   case when pg_temp.r(g, 5) < 0.93 then 'succeeded' when pg_temp.r(g, 5) < 0.97 then 'failed' else 'cancelled' end
                 else
                   case when pg_temp.r(g, 5) < 0.50 then 'succeeded' when pg_temp.r(g, 5) < 0.52 then 'failed' when pg_temp.r(g, 5) < 0.80 then 'queued'
                        when pg_temp.r(g, 5) < 0.95 then 'waiting' else 'running' end
               end as state
        from (
          select g, (array[7000, 7000, 7000, 7000, 7001, 7001, 7002, 7003, 7004])[1 + floor(pg_temp.r(g, 0) * 9)::int] as type_id,
                 timestamptz '${base}' - interval '30 days' * (1 - g::float8 / ${count}) as created
          from generate_series(1, ${count}) g
        ) raw
      ) timed`);
    await run('', `insert into job_types (id, name) values
      (7000, 'demo.Produce'), (7001, 'demo.Combine'), (7002, 'demo.Flaky'), (7003, 'demo.Slow'), (7004, 'demo.Strict')
      on conflict do nothing`);
    await run('', `insert into workers (id, hostname, pid, job_type_ids, concurrency) values ('perf-worker-1', 'perf', 1, '{7000,7001,7002,7003,7004}', 8)`);
    const [{ worker }] = (await run<{ worker: number }>('', `select number as worker from workers where id = 'perf-worker-1'`)) as [{ worker: number }];

    await run('drop the identity index for the load', `alter table jobs drop constraint jobs_identity`);
    await run('jobs', `
      insert into jobs (id, type_id, key, input, input_bytes, max_attempts, run_at, dependency_count, created_at)
      overriding system value
      select g, type_id, 'job-' || g, input, octet_length(input::text), 3, ready, case when type_id = 7001 and g > 2 then 2 else 0 end, created
      from seed order by g`);
    await run('', `select setval('jobs_id_seq', ${count})`);
    await run('job_outcomes', `
      insert into job_outcomes (job_id, attempt, type_id, outcome, final, worker, ready_at, started_at, finished_at, output, output_bytes, error)
      select s.g, a.attempt, s.type_id,
             (case when a.attempt < a.attempts then 'failed' when s.state = 'succeeded' then 'succeeded' when s.state = 'failed' then 'failed' else 'cancelled' end)::job_outcome,
             a.attempt = a.attempts, case when s.state <> 'cancelled' then ${worker} end, s.ready,
             case when s.state = 'cancelled' then null when a.attempt < a.attempts then s.started - make_interval(secs => (a.attempts - a.attempt) * 60) else s.started end,
             case when s.state = 'cancelled' then s.started when a.attempt < a.attempts then s.started - make_interval(secs => (a.attempts - a.attempt) * 60 - 1) else s.finished end,
             case when a.attempt = a.attempts then s.output end,
             case when a.attempt = a.attempts then octet_length(s.output::text) end,
             case
               when s.state = 'cancelled' then jsonb_build_object('code', 'JOB_CANCELLED', 'message', 'cancelled by a person')
               when a.attempt < a.attempts or s.state = 'failed' then jsonb_build_object('code', 'JOB_FAILED', 'message', 'upstream answered 503 for item ' || s.g,
                 'stack', E'Error: upstream answered 503\\n    at fetchItem (plugins/demo/src/fetch.ts:41:11)\\n    at handler (plugins/demo/src/module.ts:88:5)')
             end
      from seed s
      cross join lateral (
        select attempt, case s.state when 'failed' then 3 when 'succeeded' then 1 + s.retried::int else 0 end as attempts
        from generate_series(case when s.state = 'cancelled' then 0 else 1 end, case s.state when 'failed' then 3 when 'succeeded' then 1 + s.retried::int else 0 end) attempt
      ) a
      where s.state in ('succeeded', 'failed', 'cancelled')
      order by s.g, a.attempt`);
    await run('job_queue', `
      insert into job_queue (job_id, type_id, priority, run_at, attempts, pending_dependencies, ready_at)
      select g, type_id, 0, ready, 0, case when state = 'waiting' then 1 else 0 end, case when state = 'queued' then ready end
      from seed where g > ${activeFrom} and state in ('queued', 'waiting')`);
    await run('job_running', `
      insert into job_running (job_id, type_id, attempt, attempt_token, worker, lease_expires_at, claimed_at, ready_at)
      select g, type_id, 1, nextval('attempt_token_seq'), ${worker}, now() + interval '1 hour', started, ready
      from seed where g > ${activeFrom} and state = 'running'`);
    await run('job_dependencies', `
      insert into job_dependencies (job_id, depends_on_id)
      select j.id, j.id - step from jobs j cross join (values (1), (2)) as s(step)
      where j.type_id = 7001 and j.id > 2`);

    // One workflow of 500 jobs: root -> 497 -> 2 combiners (cancelled: two children failed).
    const [{ id: rootId }] = (await run<{ id: string }>('', `
      with root as (
        insert into jobs (type_id, key, input, input_bytes, created_at, run_at)
        values (7000, 'dag-root', '{"value":1}', 11, now() - interval '1 hour', now() - interval '1 hour')
        returning id
      ), outcome as (
        insert into job_outcomes (job_id, attempt, type_id, outcome, final, worker, ready_at, started_at, finished_at, output, output_bytes)
        select id, 1, 7000, 'succeeded', true, ${worker}, now() - interval '1 hour', now() - interval '59 minutes', now() - interval '58 minutes', '{"doubled":2}', 13
        from root
      )
      select id from root`)) as [{ id: string }];
    await run('', `
      with children as (
        insert into jobs (type_id, key, input, input_bytes, created_at, run_at, dependency_count)
        select 7002, 'dag-child-' || g, jsonb_build_object('failTimes', 0), 14, now() - interval '58 minutes', now() - interval '58 minutes', 1
        from generate_series(1, 497) g
        returning id, key
      ), outcomes as (
        insert into job_outcomes (job_id, attempt, type_id, outcome, final, worker, ready_at, started_at, finished_at, error)
        select id, 1, 7002, case when substring(key from '[0-9]+$')::int % 50 = 0 then 'failed' else 'succeeded' end::job_outcome, true, ${worker},
               now() - interval '58 minutes', now() - interval '57 minutes', now() - interval '56 minutes',
               case when substring(key from '[0-9]+$')::int % 50 = 0 then '{"code":"JOB_FAILED","message":"failed on purpose"}'::jsonb end
        from children
      )
      insert into job_dependencies (job_id, depends_on_id) select id, ${Number(rootId)}::bigint from children`);
    await run('', `
      with sinks as (
        insert into jobs (type_id, key, input, input_bytes, created_at, run_at, dependency_count)
        select 7001, 'dag-sink-' || g, jsonb_build_object('label', 'sink'), 16, now() - interval '58 minutes', now() - interval '58 minutes', 497
        from generate_series(1, 2) g
        returning id
      ), outcomes as (
        insert into job_outcomes (job_id, attempt, type_id, outcome, final, ready_at, finished_at, error)
        select id, 0, 7001, 'cancelled', true, now() - interval '58 minutes', now() - interval '56 minutes',
               '{"code":"DEPENDENCY_FAILED","message":"a dependency failed"}'::jsonb
        from sinks
      )
      insert into job_dependencies (job_id, depends_on_id)
      select s.id, c.id from sinks s cross join jobs c where c.type_id = 7002 and c.key like 'dag-child-%'`);

    // The rollups the completions would have bumped, compacted as job_stats_compact leaves them.
    await run('job_stats', `
      insert into job_stats (minute, type_id, worker, succeeded, failed, retried, cancelled, run_ms_sum)
      select case when finished_at < now() - interval '2 days' then date_trunc('hour', finished_at) else date_trunc('minute', finished_at) end,
             type_id, 0,
             count(*) filter (where final and outcome = 'succeeded'),
             count(*) filter (where final and outcome in ('failed', 'timed_out', 'lease_expired')),
             count(*) filter (where not final),
             count(*) filter (where final and outcome = 'cancelled'),
             coalesce(sum(extract(epoch from finished_at - started_at) * 1000) filter (where started_at is not null), 0)
      from job_outcomes group by 1, 2`);
    await run('rebuild the identity index', `alter table jobs add constraint jobs_identity unique (type_id, key)`);
    for (const table of ['jobs', 'job_outcomes', 'job_queue', 'job_running', 'job_dependencies', 'job_stats', 'workers', 'job_types']) {
      await run(`vacuum analyze ${table}`, `vacuum analyze ${table}`);
    }
    const failed = await run<{ id: string }>('', `
      select o.job_id as id from job_outcomes o where o.type_id = 7002 and o.final and o.outcome = 'failed' order by o.job_id desc limit 1`);
    return { dagRootId: String(rootId), sampleJobId: String(failed[0]!.id) };
  } finally {
    // The connection goes back to the pool: leave it as it came.
    await connection.query('reset search_path; reset synchronous_commit; reset maintenance_work_mem; discard temp').catch(() => {});
    connection.release();
  }
}
