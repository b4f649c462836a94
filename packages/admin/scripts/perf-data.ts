import type { JobbyDatabase } from '@jobby/core';
import { createAdminTables } from '../src/server/queries/tables.js';

/**
 * Synthetic data for the admin performance script: `count` jobs of the demo registry's five types
 * spread over the last 30 days (ids increase with created_at, as they do in a live queue). The last
 * ~1 % are recent and still active (queued, waiting, running); older ones finished: ~93 %
 * succeeded, ~4 % failed (with three attempts each in job_attempts), ~3 % cancelled. Every Combine
 * job depends on the two jobs before it, and one workflow of 500 jobs (a root fanning out to 497
 * jobs that fan into two) is added for the DAG measurement. Deterministic (setseed).
 */
export async function loadPerfData(database: Pick<JobbyDatabase, 'pool' | 'schema'>, count: number): Promise<{ dagRootId: string; sampleJobId: string }> {
  const tables = createAdminTables(database.schema);
  const connection = await database.pool.connect();
  const run = async <Row>(text: string): Promise<Row[]> => (await connection.query(text)).rows as Row[];
  try {
  await run(`
    insert into ${tables.jobTypes} (id, name) values
      (7000, 'demo.Produce'), (7001, 'demo.Combine'), (7002, 'demo.Flaky'), (7003, 'demo.Slow'), (7004, 'demo.Strict')
    on conflict do nothing`);
  const activeFrom = Math.floor(count * 0.99);
  await run('begin');
  {
    await run(`select setseed(0.42)`);
    await run(`
      insert into ${tables.jobs} (type_id, key, state, priority, run_at, attempts, max_attempts, input, input_bytes,
                                  output, output_bytes, last_error, created_at, ready_at, started_at, finished_at,
                                  dependency_count)
      select type_id, 'job-' || g, state, 0, ready, attempts, 3, input, octet_length(input::text),
             output, octet_length(output::text), last_error, created, ready, started,
             case when state in ('succeeded', 'failed', 'cancelled') then started + run end,
             case when type_id = 7001 and g > 2 then 2 else 0 end
      from (
        select g, type_id, created, ready, input, state,
               case when state in ('succeeded', 'failed', 'running') then ready + delay end as started,
               run,
               case state when 'succeeded' then 1 + (r_attempt < 0.05)::int when 'failed' then 3 when 'running' then 1 else 0 end as attempts,
               case when state = 'succeeded' then jsonb_build_object('doubled', g * 2, 'note', repeat('y', (r_size * 400)::int)) end as output,
               case state
                 when 'failed' then jsonb_build_object('code', 'JOB_FAILED', 'message', 'upstream answered 503 for item ' || g,
                   'stack', E'Error: upstream answered 503\\n    at fetchItem (plugins/demo/src/fetch.ts:41:11)\\n    at handler (plugins/demo/src/module.ts:88:5)')
                 when 'cancelled' then jsonb_build_object('code', 'JOB_CANCELLED', 'message', 'cancelled by a person')
               end as last_error
        from (
          select g, type_id, created,
                 created + make_interval(secs => r_ready * 2) as ready,
                 make_interval(secs => -ln(1 - r_delay) * 0.5) as delay,
                 make_interval(secs => (type_id - 6999) * 0.02 * (1 + 4 * r_run * r_run)) as run,
                 jsonb_build_object('value', g, 'label', repeat('x', (r_size * 300)::int)) as input,
                 r_size, r_attempt,
                 (case
                   when g <= ${activeFrom} then
                     case when r_state < 0.93 then 'succeeded' when r_state < 0.97 then 'failed' else 'cancelled' end
                   else
                     case when r_state < 0.50 then 'succeeded' when r_state < 0.52 then 'failed' when r_state < 0.80 then 'queued'
                          when r_state < 0.95 then 'waiting' else 'running' end
                 end)::${tables.jobState} as state
          from (
            select g,
                   (array[7000, 7000, 7000, 7000, 7001, 7001, 7002, 7003, 7004])[1 + floor(random() * 9)::int] as type_id,
                   now() - interval '30 days' * (1 - g::float8 / ${count}) as created,
                   random() as r_ready, random() as r_delay, random() as r_run, random() as r_size,
                   random() as r_state, random() as r_attempt
            from generate_series(1, ${count}) g
          ) raw
        ) timed
      ) shaped
      order by g`);
    // Identity ids start at 1 in a fresh schema, so job g has id g.
    await run(`
      insert into ${tables.jobDependencies} (job_id, depends_on_id)
      select j.id, j.id - step from ${tables.jobs} j cross join (values (1), (2)) as s(step)
      where j.type_id = 7001 and j.id > 2`);
    await run(`
      insert into ${tables.jobAttempts} (job_id, attempt, worker_id, started_at, finished_at, outcome, error)
      select j.id, a, 'perf-worker-1', j.started_at - make_interval(secs => (3 - a) * 60), j.started_at - make_interval(secs => (3 - a) * 60 - 1), 'failed', j.last_error
      from ${tables.jobs} j cross join generate_series(1, 3) a
      where j.state = 'failed'`);
    // One workflow of 500 jobs: root -> 497 -> 2 combiners.
    const rows = await run<{ id: string }>(`
      insert into ${tables.jobs} (type_id, key, state, input, input_bytes, created_at, ready_at, started_at, finished_at, attempts, output, output_bytes)
      values (7000, 'dag-root', 'succeeded', '{"value":1}', 11, now() - interval '1 hour', now() - interval '1 hour', now() - interval '59 minutes', now() - interval '58 minutes', 1, '{"doubled":2}', 13)
      returning id`);
    const rootId = rows[0]!.id;
    await run(`
      with children as (
        insert into ${tables.jobs} (type_id, key, state, input, input_bytes, created_at, ready_at, started_at, finished_at, attempts, dependency_count)
        select 7002, 'dag-child-' || g, (case when g % 50 = 0 then 'failed' else 'succeeded' end)::${tables.jobState}, jsonb_build_object('failTimes', 0), 14,
               now() - interval '58 minutes', now() - interval '58 minutes', now() - interval '57 minutes', now() - interval '56 minutes', 1, 1
        from generate_series(1, 497) g
        returning id
      )
      insert into ${tables.jobDependencies} (job_id, depends_on_id) select id, ${Number(rootId)}::bigint from children`);
    await run(`
      with sinks as (
        insert into ${tables.jobs} (type_id, key, state, input, input_bytes, created_at, dependency_count, pending_dependencies)
        select 7001, 'dag-sink-' || g, 'cancelled', jsonb_build_object('label', 'sink'), 16, now() - interval '58 minutes', 497, 0
        from generate_series(1, 2) g
        returning id
      )
      insert into ${tables.jobDependencies} (job_id, depends_on_id)
      select s.id, c.id from sinks s cross join ${tables.jobs} c where c.key like 'dag-child-%' and c.type_id = 7002`);
    // Every job's identity (migration 0004), as the store writes it.
    await run(`insert into ${tables.jobKeys} (type_id, key, job_id) select type_id, key, id from ${tables.jobs}`);
  }
  await run('commit');
  await run(`vacuum analyze ${tables.jobs}`);
  await run(`vacuum analyze ${tables.jobKeys}`);
  await run(`analyze ${tables.jobDependencies}`);
  await run(`analyze ${tables.jobAttempts}`);
  const rows = await run<{ id: string }>(`select id from ${tables.jobs} where key = 'dag-root' and type_id = 7000`);
  const failed = await run<{ id: string }>(`select id from ${tables.jobs} where state = 'failed' and type_id = 7002 order by id desc limit 1`);
  return { dagRootId: String(rows[0]!.id), sampleJobId: String(failed[0]!.id) };
  } finally {
    connection.release();
  }
}
