import type * as Core from '@jobby/core';
import type { JobbyClient, JobbyDatabase, ModuleContext, PluginModule, Worker, WorkerRegistry } from '@jobby/core';
import type { BenchContext, BenchSystem, OnJobStart } from '../system.js';

/**
 * jobby through its public API: the typed client's submitMany/submit and createWorker.
 *
 * `BENCH_JOBBY_CORE` (a path to another checkout's `packages/core/src/index.ts`) benchmarks that
 * version instead, for before/after figures: see the README.
 */

const coreOverride = process.env.BENCH_JOBBY_CORE;
const { createJobbyClient, createLogger, createWorker, defineJobs, definePlugin, defineRegistry, migrate, openDatabase, payload, syncJobTypes }: typeof Core =
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
    variant: `prefetch=${settings.prefetch}${coreOverride ? ` (core: ${coreOverride})` : ''}`,
    async setup() {
      database = await openDatabase({ connectionString: context.connectionString, schema: context.schema, applicationName: 'bench-jobby' });
      await migrate(database);
      client = createJobbyClient({ database, registry: benchRegistry });
      await syncJobTypes(client.store, benchRegistry);
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
    tables() {
      return [`"${context.schema}".jobs`, `"${context.schema}".job_keys`];
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
      await database.pool.query(`drop schema if exists "${context.schema}" cascade`).catch(() => {});
      await database.close();
    },
  };
}
