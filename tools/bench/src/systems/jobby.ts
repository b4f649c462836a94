import type * as Core from '@jobby/core';
import type { JobbyClient, JobbyDatabase, ModuleContext, PluginModule, Worker, WorkerRegistry } from '@jobby/core';
import pg from 'pg';
import { seedInChunks } from '../seed-chunks.js';
import { fillFinishedOneTable, fillHistoryOneTable, isOneTableStore, oneTableTables, unfinishedOneTable } from './jobby-one-table.js';
import type { BenchContext, BenchSystem, OnJobStart } from '../system.js';

/**
 * jobby through its public API: the typed client's submitMany/submit and createWorker.
 *
 * `BENCH_JOBBY_CORE` (a path to another checkout's `packages/core/src/index.ts`) benchmarks that
 * version instead, for before/after figures: see the README. A core from before store v2 gets the
 * one-table SQL of `jobby-one-table.ts` (picked by the schema its migrations made).
 */

const coreOverride = process.env.BENCH_JOBBY_CORE;
const { createJobbyClient, createLogger, createWorker, defineJobs, jobStoreOf, definePlugin, defineRegistry, migrate, openDatabase, payload, syncJobTypes }: typeof Core =
  await import(coreOverride ?? '@jobby/core');

export enum BenchJob {
  Noop = 0,
}

export const benchJobs = defineJobs({
  plugin: 'bench',
  enum: BenchJob,
  types: { Noop: { input: payload<{ i: number }>() } },
});

let onStart: OnJobStart = () => {};

/** For scripts/: the no-op handler's hook. */
export function setBenchHandler(callback: OnJobStart): void {
  onStart = callback;
}

class BenchModule implements PluginModule<typeof benchJobs> {
  static initialize(_context: ModuleContext): BenchModule {
    return new BenchModule();
  }
  workers(registry: WorkerRegistry<typeof benchJobs>): void {
    registry.register(BenchJob.Noop, 'noop', ({ input }) => {
      onStart(input.i);
      return null;
    });
  }
  jobs(): void {}
}

export const benchRegistry = defineRegistry({
  plugins: [
    {
      name: 'bench',
      clientId: 9,
      packageName: '@jobby/bench',
      version: '0.0.0',
      definition: definePlugin({ jobs: benchJobs, module: BenchModule }),
      jobTypes: [{ id: 9000, localId: 0, name: 'Noop', submittable: false, inputSchema: { type: 'object', properties: { i: { type: 'integer' } }, required: ['i'] } }],
    },
  ],
});

/**
 * ─── jobby's store SQL, written directly: keep in step with migrations/ ───────────────────────
 *
 * Writes `count` finished jobs (ids 1…count) straight into the store's tables for
 * `process-history`, bypassing the store: **it writes the tables directly and must follow the
 * schema** (migrations/0001_store_v2.sql and packages/core/src/store/sql/) — every NOT NULL column,
 * every table a finished job leaves rows in, and the triggers (jobs_require_types checks
 * job_types, so the history's types are registered first). When the store's tables change, this
 * function changes with them; it is the only jobby-specific SQL of the bench besides
 * `unfinished()` and `fillFinished()` below.
 *
 * What a finished job is in the v2 store: its record in `jobs` (written once: identity, input,
 * options, created time); no `job_queue` or `job_running` row; one `job_outcomes` row per attempt
 * (the last one `final`: succeeded, failed or cancelled, with its times, worker number, output or
 * error; a retried success has a failed attempt before it, a job failed for good three failed
 * attempts); `job_dependencies` rows for a job that waited on another; and its share of the
 * per-minute counters in `job_stats` (as `job_stats_compact` leaves them: worker 0, minutes older
 * than two days folded into hours). `job_outcomes` is partitioned by job id: the partitions for
 * ids 1…count are created first (`job_outcome_partitions_ensure`, as the maintenance loop would
 * have), so nothing lands in the default partition. Workers are numbers (`workers.number`): 21 past
 * workers are registered for the history.
 *
 * What the planner sees afterwards (the caller runs VACUUM ANALYZE): ten job types (the bench's
 * Noop, 35%, and nine others registered beside it), 96.2% succeeded (3% of them after a failed
 * first attempt), 3% failed for good after 3 attempts, 0.8% cancelled before they ran, 5% had waited
 * on their predecessor; finished over the 14 days before the seeding, in id order with a minute
 * of jitter; handlers of 5 ms to 5 s (median 0.6 s), queue delays up to a minute (median 0.2 s).
 * Outcomes are a hash of the id, so that a dependent job can look at its predecessor's.
 */
async function fillJobbyHistory(connectionString: string, schema: string, count: number): Promise<void> {
  const s = `"${schema}"`;
  const setup = new pg.Client({ connectionString, application_name: 'bench-seed' });
  await setup.connect();
  let workerNumbers: number[];
  try {
    await setup.query(
      `insert into ${s}.job_types (id, name) select 9000 + n, 'bench.Past' || n from generate_series(1, 9) n on conflict do nothing`,
    );
    await setup.query(
      `insert into ${s}.workers (id, hostname, pid, stopped_at)
       select 'bench-host-' || n / 7 || '-' || 1000 + n % 7, 'bench-host-' || n / 7, 1000 + n % 7, now() - interval '1 hour'
       from generate_series(0, 20) n on conflict do nothing`,
    );
    workerNumbers = (await setup.query<{ number: number }>(`select number from ${s}.workers where id like 'bench-host-%' order by id`)).rows.map((row) => row.number);
    // The history partitions, one span of ids at a time (ensure reads the id sequence).
    const span = Number((await setup.query(`select ${s}.job_outcome_partition_span() as span`)).rows[0].span);
    for (let id = 1; id <= count + span; id += span) {
      await setup.query(`select setval(pg_get_serial_sequence('${s}.jobs', 'id'), $1)`, [Math.min(id, count)]);
      await setup.query(`select ${s}.job_outcome_partitions_ensure()`);
    }
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
         select x.*,
                jsonb_build_object('i', x.id, 'tenant', 'tenant-' || x.id % 97) as input,
                case x.state when 'succeeded' then 1 + x.retried::int when 'failed' then 3 else 0 end as attempts,
                case when x.state = 'cancelled' then null else x.finished_at - x.run end as started_at,
                ($4::int[])[1 + x.id % 21] as worker
         from source x
       ),
       timed as (
         select x.*,
                coalesce(x.started_at, x.finished_at) - x.delay as ready_at,
                coalesce(x.started_at, x.finished_at) - x.delay - interval '1 second' * x.dependent::int as created_at
         from shaped x
       ),
       records as (
         insert into ${s}.jobs (id, type_id, key, input, input_bytes, max_attempts, priority, run_at, dependency_count, created_at)
         overriding system value
         select x.id, x.type_id, 'h' || lpad(x.id::text, 10, '0'), x.input, octet_length(x.input::text),
                case x.state when 'failed' then 3 else 25 end, 0, x.created_at, x.dependent::int, x.created_at
         from timed x
       ),
       outcomes as (
         insert into ${s}.job_outcomes (job_id, attempt, type_id, outcome, final, worker, ready_at, started_at, finished_at,
                                        output, output_bytes, error)
         -- the failed attempts before the last, 30 s apart
         select x.id, a, x.type_id, 'failed', false, x.worker, x.ready_at,
                x.started_at - (x.attempts - a) * interval '30 seconds',
                x.started_at - (x.attempts - a) * interval '30 seconds' + interval '200 milliseconds',
                null, null, jsonb_build_object('code', 'HANDLER_ERROR', 'message', 'upstream answered 503')
         from timed x cross join lateral generate_series(1, x.attempts - 1) a
         where x.attempts > 1
         union all
         -- the last attempt, which ended the job
         select x.id, x.attempts, x.type_id, x.state::${s}.job_outcome, true,
                case when x.state = 'cancelled' then null else x.worker end, x.ready_at, x.started_at, x.finished_at,
                case when x.state = 'succeeded' then jsonb_build_object('items', x.id % 500) end,
                case when x.state = 'succeeded' then octet_length(jsonb_build_object('items', x.id % 500)::text) end,
                case x.state when 'failed' then jsonb_build_object('code', 'HANDLER_ERROR', 'message', 'upstream answered 503')
                             when 'cancelled' then jsonb_build_object('code', 'JOB_CANCELLED', 'message', 'cancelled by a person') end
         from timed x
       ),
       dependencies as (
         insert into ${s}.job_dependencies (job_id, depends_on_id) select x.id, x.id - 1 from timed x where x.dependent
       )
       -- the counters as job_stats_compact leaves them: worker 0, hours beyond two days
       insert into ${s}.job_stats as t (minute, type_id, worker, succeeded, failed, retried, cancelled, run_ms_sum)
       select case when x.finished_at < now() - interval '2 days' then date_trunc('hour', x.finished_at) else date_trunc('minute', x.finished_at) end,
              x.type_id, 0,
              count(*) filter (where x.state = 'succeeded'), count(*) filter (where x.state = 'failed'),
              sum(greatest(x.attempts - 1, 0)), count(*) filter (where x.state = 'cancelled'),
              coalesce(sum(extract(epoch from x.run) * 1000) filter (where x.state <> 'cancelled'), 0)
       from timed x group by 1, 2
       on conflict (minute, type_id, worker) do update
         set succeeded = t.succeeded + excluded.succeeded, failed = t.failed + excluded.failed,
             retried = t.retried + excluded.retried, cancelled = t.cancelled + excluded.cancelled,
             run_ms_sum = t.run_ms_sum + excluded.run_ms_sum`,
      [first, last, count, workerNumbers],
    );
  };
  await seedInChunks(connectionString, count, fill);
  const after = new pg.Client({ connectionString, application_name: 'bench-seed' });
  await after.connect();
  try {
    // New jobs and claims continue after the history, as they would have.
    await after.query(`select setval(pg_get_serial_sequence('${s}.jobs', 'id'), $1), setval('${s}.attempt_token_seq', $1)`, [count]);
    await after.query(`select ${s}.job_outcome_partitions_ensure()`);
    const { rows } = await after.query<{ n: string }>(`select count(*) as n from ${s}.job_outcomes_default`);
    if (Number(rows[0]!.n) !== 0) throw new Error(`${rows[0]!.n} history outcomes landed in job_outcomes_default: a partition was missing`);
  } finally {
    await after.end();
  }
}

export interface JobbySettings {
  /** Jobs claimed ahead of free slots. */
  prefetch: number;
}

export const defaultJobbySettings: JobbySettings = { prefetch: 500 };

export function createJobbySystem(context: BenchContext, settings: JobbySettings = defaultJobbySettings): BenchSystem {
  let database: JobbyDatabase;
  let client: JobbyClient;
  let worker: Worker | undefined;
  const noop = benchJobs.refs.Noop;
  const logger = createLogger({ level: 'silent' });
  let oneTable = false;
  return {
    name: 'jobby',
    storage: 'postgres',
    variant: `prefetch=${settings.prefetch}${coreOverride ? ` (core: ${coreOverride})` : ''}`,
    async setup() {
      database = await openDatabase({ connectionString: context.connectionString, schema: context.schema, applicationName: 'bench-jobby' });
      await migrate(database);
      client = createJobbyClient({ database, registry: benchRegistry });
      await syncJobTypes(jobStoreOf(client), benchRegistry);
      oneTable = await isOneTableStore(database.pool, context.schema);
    },
    async enqueueBatch(from, count) {
      const jobs = [];
      for (let i = from; i < from + count; i++) jobs.push({ type: noop, key: `j${i}`, input: { i } });
      await client.submitMany(jobs);
    },
    async enqueueOne(index) {
      await client.submit(noop, `j${index}`, { i: index });
    },
    async enqueueScheduled(from, runAts) {
      await client.submitMany(runAts.map((runAt, k) => ({ type: noop, key: `j${from + k}`, input: { i: from + k }, options: { runAt } })));
    },
    async startWorker(callback) {
      onStart = callback;
      worker = createWorker({
        database,
        registry: benchRegistry,
        logger,
        concurrency: context.concurrency,
        prefetch: settings.prefetch,
        workerId: `bench-${process.pid}`,
        dataDirectory: '/tmp/jobby-bench-plugins',
      });
      await worker.start();
    },
    async stopWorker() {
      await worker?.stop({ graceMs: 1_000 });
      worker = undefined;
    },
    async unfinished() {
      if (oneTable) return unfinishedOneTable(database.pool, context.schema);
      // A job is unfinished while it has a queue row (queued or waiting) or a running row: two
      // small hot tables, whatever the history holds.
      const { rows } = await database.pool.query(
        `select (select count(*) from "${context.schema}".job_queue)::int + (select count(*) from "${context.schema}".job_running)::int as n`,
      );
      return rows[0].n;
    },
    async fillFinished(count) {
      if (oneTable) return fillFinishedOneTable(database.pool, context.schema, count);
      // Finished jobs as the store leaves them (see fillJobbyHistory): a record and one final
      // outcome each; ids from the sequence, so the partition of the last one is made first.
      const s = `"${context.schema}"`;
      await database.pool.query(`select setval(pg_get_serial_sequence('${s}.jobs', 'id'), coalesce((select max(id) from ${s}.jobs), 0) + $1::int)`, [count]);
      await database.pool.query(`select ${s}.job_outcome_partitions_ensure()`);
      await database.pool.query(`select setval(pg_get_serial_sequence('${s}.jobs', 'id'), coalesce((select max(id) from ${s}.jobs), 0) + 1, false)`);
      await database.pool.query(
        `with records as (
           insert into ${s}.jobs (type_id, key, input, input_bytes)
           select 9000, 'old-' || g, jsonb_build_object('i', g), 12 from generate_series(1, $1::int) g
           returning id, type_id
         )
         insert into ${s}.job_outcomes (job_id, attempt, type_id, outcome, final, worker, ready_at, started_at, finished_at)
         select id, 1, type_id, 'succeeded', true, 0, now(), now(), now() from records`,
        [count],
      );
    },
    fillHistory(count) {
      return (oneTable ? fillHistoryOneTable : fillJobbyHistory)(context.connectionString, context.schema, count);
    },
    tables() {
      // job_outcomes: the partitioned parent (VACUUM and ANALYZE reach its partitions).
      const tables = oneTable ? oneTableTables : ['jobs', 'job_queue', 'job_running', 'job_outcomes', 'job_dependencies', 'job_stats'];
      return tables.map((table) => `"${context.schema}".${table}`);
    },
    dag: {
      async submit(nodes) {
        const middle = Array.from({ length: nodes - 2 }, (_, index) => `m${index}`);
        await client.submitMany([
          { type: noop, key: 'root', input: { i: 0 } },
          ...middle.map((key, index) => ({ type: noop, key, input: { i: index + 1 }, options: { dependsOn: [{ type: noop, key: 'root' }] } })),
          { type: noop, key: 'sink', input: { i: nodes - 1 }, options: { dependsOn: middle.map((key) => ({ type: noop, key })) } },
        ]);
      },
      async done() {
        return (await client.get(noop, 'sink'))?.state === 'succeeded';
      },
    },
    async teardown() {
      await worker?.stop({ graceMs: 100 }).catch(() => {});
      if (!database) return;
      if (!context.existing) await database.pool.query(`drop schema if exists "${context.schema}" cascade`).catch(() => {});
      await database.close();
    },
  };
}
