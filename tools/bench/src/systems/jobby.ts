import type * as Core from '@jobby/core';
import type { JobbyClient, JobbyDatabase, ModuleContext, PluginModule, Worker, WorkerRegistry } from '@jobby/core';
import pg from 'pg';
import { seedInChunks } from '../seed-chunks.js';
import type { BenchContext, BenchSystem, OnJobStart } from '../system.js';

/**
 * jobby through its public API: the typed client's submitMany/submit and createWorker.
 *
 * `BENCH_JOBBY_CORE` (a path to another checkout's `packages/core/src/index.ts`) benchmarks that
 * version instead, for before/after figures: see the README.
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
 * schema** (migrations/*.sql) — every NOT NULL column, every table a finished job leaves rows in,
 * and the triggers (jobs_require_types checks job_types, so the history's types are registered
 * first). When the store's tables change, this function changes with them; it is the only
 * jobby-specific SQL of the bench besides `unfinished()` and `fillFinished()` below.
 *
 * What a finished job is in the store today (0001, 0004, 0006): a `jobs` row in state succeeded,
 * failed or cancelled with its times, worker, attempts, output or last error; its identity row in
 * `job_keys`; one `job_attempts` row per attempt that ended without success (a retried success
 * has one, a job failed for good one per attempt); `job_dependencies` rows for a job that waited on
 * another.
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
  const hasJobKeys = async () => (await database.pool.query(`select to_regclass('"${context.schema}".job_keys') is not null as present`)).rows[0].present as boolean;
  return {
    name: 'jobby',
    storage: 'postgres',
    variant: `prefetch=${settings.prefetch}${coreOverride ? ` (core: ${coreOverride})` : ''}`,
    async setup() {
      database = await openDatabase({ connectionString: context.connectionString, schema: context.schema, applicationName: 'bench-jobby' });
      await migrate(database);
      client = createJobbyClient({ database, registry: benchRegistry });
      await syncJobTypes(jobStoreOf(client), benchRegistry);
    },
    async enqueueBatch(from, count) {
      const jobs = [];
      for (let i = from; i < from + count; i++) jobs.push({ type: noop, key: `j${i}`, input: { i } });
      await client.submitMany(jobs);
    },
    async enqueueOne(index) {
      await client.submit(noop, `j${index}`, { i: index });
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
      // Two counts, each through an index: running jobs are in jobs_lease_idx, not in the admin
      // index that serves the other states (migration 0005).
      const jobs = `"${context.schema}".jobs`;
      const { rows } = await database.pool.query(
        `select (select count(*) from ${jobs} where state in ('queued', 'waiting'))::int + (select count(*) from ${jobs} where state = 'running')::int as n`,
      );
      return rows[0].n;
    },
    async fillFinished(count) {
      await database.pool.query(
        `insert into "${context.schema}".jobs (type_id, key, state, input, input_bytes, attempts, attempt_token, worker_id, ready_at, started_at, finished_at)
         select 9000, 'old-' || g, 'succeeded', jsonb_build_object('i', g), 12, 1, g, 'bench-old', now(), now(), now()
         from generate_series(1, $1::int) g`,
        [count],
      );
      // Their identities too (migration 0004), as the store writes them; a BENCH_JOBBY_CORE from
      // before that migration has no job_keys.
      if (await hasJobKeys()) {
        await database.pool.query(`insert into "${context.schema}".job_keys (type_id, key, job_id) select type_id, key, id from "${context.schema}".jobs`);
      }
    },
    fillHistory(count) {
      return fillJobbyHistory(context.connectionString, context.schema, count);
    },
    tables() {
      return ['jobs', 'job_keys', 'job_attempts', 'job_dependencies'].map((table) => `"${context.schema}".${table}`);
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
