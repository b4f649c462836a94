import { Logger, makeWorkerUtils, run, type Runner, type WorkerUtils } from 'graphile-worker';
import pg from 'pg';
import type { BenchContext, BenchSystem, OnJobStart } from '../system.js';

/**
 * graphile-worker 0.18 with its fastest documented settings
 * (https://worker.graphile.org/docs/performance): a local queue of 500 jobs, and batched
 * completions and failures (`completeJobBatchDelay` / `failJobBatchDelay` 0: batch whatever
 * finished in the same tick). Its own schema. Finished jobs are deleted by graphile-worker itself,
 * so its "finished history" for `process-bloated` is jobs that failed for good (attempts exhausted),
 * which stay in the table. For the same reason it has no `process-history`: nothing it would keep
 * of 10M jobs that finished (see the README).
 */

const silent = new Logger(() => () => {});

export function createGraphileWorkerSystem(context: BenchContext): BenchSystem {
  const schema = context.schema;
  const pool = new pg.Pool({ connectionString: context.connectionString, max: context.concurrency + 2, application_name: 'bench-graphile' });
  let utils: WorkerUtils;
  let runner: Runner | undefined;
  /** The highest job id before the worker started: the jobs of this measurement are above it. */
  let idFloor = '0';
  return {
    name: 'graphile-worker',
    storage: 'postgres',
    variant: 'localQueue=500,completeJobBatchDelay=0',
    async setup() {
      utils = await makeWorkerUtils({ pgPool: pool, schema, logger: silent });
      await utils.migrate();
    },
    async enqueueBatch(from, count) {
      await utils.addJobs(Array.from({ length: count }, (_, index) => ({ identifier: 'noop', payload: { i: from + index } })));
    },
    async enqueueOne(index) {
      await utils.addJob('noop', { i: index });
    },
    async enqueueScheduled(from, runAts) {
      await utils.addJobs(runAts.map((runAt, k) => ({ identifier: 'noop', payload: { i: from + k }, runAt })));
    },
    async startWorker(onStart: OnJobStart) {
      idFloor = (await pool.query(`select coalesce(max(id), 0)::text as floor from "${schema}"._private_jobs`)).rows[0].floor;
      runner = await run({
        pgPool: pool,
        schema,
        concurrency: context.concurrency,
        noHandleSignals: true,
        pollInterval: 2_000,
        logger: silent,
        taskList: {
          noop: async (payload) => {
            onStart((payload as { i: number }).i);
          },
        },
        preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
      });
    },
    async stopWorker() {
      await runner?.stop();
      runner = undefined;
    },
    async unfinished() {
      // Completed jobs are deleted; jobs that failed for good (the bloat) stay, with attempts =
      // max_attempts. Only the jobs enqueued since the worker started, through the primary key:
      // `attempts < max_attempts` matches no index, and a scan of 1M failed jobs per poll would
      // be counted in process-bloated's timed window and taken from the system's CPU.
      const { rows } = await pool.query(`select count(*)::int as n from "${schema}"._private_jobs where id > $1 and attempts < max_attempts`, [idFloor]);
      return rows[0].n;
    },
    async fillFinished(count) {
      await pool.query(`insert into "${schema}"._private_tasks (identifier) values ('noop') on conflict do nothing`);
      await pool.query(
        `insert into "${schema}"._private_jobs (task_id, payload, attempts, max_attempts, last_error, run_at)
         select (select id from "${schema}"._private_tasks where identifier = 'noop'), jsonb_build_object('i', g), 1, 1, 'failed for good', now()
         from generate_series(1, $1::int) g`,
        [count],
      );
    },
    tables() {
      return [`"${schema}"._private_jobs`];
    },
    async teardown() {
      await runner?.stop().catch(() => {});
      await Promise.resolve(utils?.release()).catch(() => {});
      await pool.query(`drop schema if exists "${schema}" cascade`).catch(() => {});
      await pool.end();
    },
  };
}
