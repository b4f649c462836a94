import { PgBoss } from 'pg-boss';
import pg from 'pg';
import type { BenchContext, BenchSystem, OnJobStart } from '../system.js';

/**
 * pg-boss 12 with batch fetching (`batchSize` 50, `burstWhenBatchFull`: keep fetching while
 * batches come back full), LISTEN/NOTIFY on (`useListenNotify` and a `notify` queue), and
 * `localConcurrency` = the bench's concurrency: that many fetch loops, each running its batch.
 * Its own schema. Completed jobs stay in its job table, so `process-bloated` fills that.
 */

const queue = 'noop';

export function createPgBossSystem(context: BenchContext): BenchSystem {
  const schema = context.schema;
  const pool = new pg.Pool({ connectionString: context.connectionString, max: 2, application_name: 'bench-pg-boss-admin' });
  let boss: PgBoss;
  let workerStarted = false;
  let sinkId = '';
  return {
    name: 'pg-boss',
    variant: 'batchSize=50,notify',
    async setup() {
      boss = new PgBoss({
        connectionString: context.connectionString,
        schema,
        max: context.concurrency + 2,
        useListenNotify: true,
        schedule: false,
        // Flows (the DAG) are resolved by a poll; 1 s is the smallest interval it accepts.
        flowIntervalSeconds: 1,
        application_name: 'bench-pg-boss',
      } as ConstructorParameters<typeof PgBoss>[0]);
      boss.on('error', () => {});
      await boss.start();
      await boss.createQueue(queue, { notify: true });
    },
    async enqueueBatch(from, count) {
      await boss.insert(queue, Array.from({ length: count }, (_, index) => ({ data: { i: from + index } })));
    },
    async enqueueOne(index) {
      await boss.send(queue, { i: index });
    },
    async startWorker(onStart: OnJobStart) {
      workerStarted = true;
      await boss.work<{ i: number }>(queue, { batchSize: 50, localConcurrency: context.concurrency, burstWhenBatchFull: true }, async (jobs) => {
        for (const job of jobs) {
          onStart(job.data.i);
          await Promise.resolve();
        }
      });
    },
    async stopWorker() {
      if (workerStarted) await boss.offWork(queue);
      workerStarted = false;
    },
    async unfinished() {
      const { rows } = await pool.query(`select count(*)::int as n from "${schema}".job where name = $1 and state < 'completed'`, [queue]);
      return rows[0].n;
    },
    async fillFinished(count) {
      await pool.query(
        `insert into "${schema}".job (name, data, state, started_on, completed_on)
         select $1, jsonb_build_object('i', g), 'completed', now(), now() from generate_series(1, $2::int) g`,
        [queue, count],
      );
    },
    tables() {
      return [`"${schema}".job`];
    },
    dag: {
      async submit(nodes) {
        const middle = Array.from({ length: nodes - 2 }, (_, index) => `m${index}`);
        const ids = await boss.flow([
          { ref: 'root', name: queue, data: { i: 0 } },
          ...middle.map((ref, index) => ({ ref, name: queue, data: { i: index + 1 }, dependsOn: ['root'] })),
          { ref: 'sink', name: queue, data: { i: nodes - 1 }, dependsOn: middle },
        ]);
        sinkId = ids.sink!;
      },
      async done() {
        const { rows } = await pool.query(`select state from "${schema}".job where id = $1`, [sinkId]);
        return rows[0]?.state === 'completed';
      },
    },
    async teardown() {
      await boss?.stop({ graceful: false, wait: true } as never).catch(() => {});
      await pool.query(`drop schema if exists "${schema}" cascade`).catch(() => {});
      await pool.end();
    },
  };
}
