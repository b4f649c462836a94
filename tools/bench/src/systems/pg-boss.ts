import { PgBoss } from 'pg-boss';
import pg from 'pg';
import { seedInChunks } from '../seed-chunks.js';
import type { BenchContext, BenchSystem, OnJobStart } from '../system.js';

/**
 * pg-boss 12 with batch fetching (`batchSize` 50, `burstWhenBatchFull`: keep fetching while
 * batches come back full), LISTEN/NOTIFY on (`useListenNotify` and a `notify` queue), and
 * `localConcurrency` = the bench's concurrency: that many fetch loops, each running its batch.
 * Its own schema. Completed jobs stay in its job table (until its maintenance deletes them, 7 days
 * after they finished by default), so `process-bloated` and `process-history` fill that.
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
    storage: 'postgres',
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
      // Also on a history schema seeded before (`existing`): createQueue leaves an existing queue alone.
      await boss.createQueue(queue, { notify: true });
    },
    async enqueueBatch(from, count) {
      await boss.insert(queue, Array.from({ length: count }, (_, index) => ({ data: { i: from + index } })));
    },
    async enqueueOne(index) {
      await boss.send(queue, { i: index });
    },
    async enqueueScheduled(from, runAts) {
      await boss.insert(queue, runAts.map((startAfter, k) => ({ data: { i: from + k }, startAfter })));
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
      // Through pg-boss's own index of live jobs (job_i14, partial on created/retry/active/failed):
      // `state < 'completed'` matched no index, and with 1M–10M finished rows a scan per poll would
      // be counted in the timed window and taken from the system's CPU.
      const { rows } = await pool.query(`select count(*)::int as n from "${schema}".job where name = $1 and state in ('created', 'retry', 'active')`, [queue]);
      return rows[0].n;
    },
    async fillFinished(count) {
      await pool.query(
        `insert into "${schema}".job (name, data, state, started_on, completed_on)
         select $1, jsonb_build_object('i', g), 'completed', now(), now() from generate_series(1, $2::int) g`,
        [queue, count],
      );
    },
    async fillHistory(count) {
      // As its own finished rows look (read back after a run): ten queues (pg-boss's job types;
      // this one 35%), 96.2% completed, 3% failed after its 2 retries, 0.8% cancelled before they
      // ran, finished over the 6 days before the seeding — its default retention deletes finished
      // jobs after 7 days. Random uuids, as its own. In its default partition, job_common.
      for (let n = 1; n <= 9; n++) await boss.createQueue(`past-${n}`);
      await seedInChunks(context.connectionString, count, async (client, first, last) => {
        await client.query(
          `insert into "${schema}".job (id, name, data, state, retry_count, policy, start_after, created_on, started_on, heartbeat_on,
                                        completed_on, keep_until, output)
           select gen_random_uuid(), case when h.type < 35 then $4 else 'past-' || (1 + (h.type - 35) % 9) end,
                  jsonb_build_object('i', g, 'tenant', 'tenant-' || g % 97),
                  h.state::"${schema}".job_state, case h.state when 'failed' then 2 else 0 end, 'standard',
                  t.created, t.created, t.started, t.started, t.finished, t.created + interval '14 days',
                  case h.state when 'completed' then jsonb_build_object('items', g % 500)
                               when 'failed' then jsonb_build_object('message', 'upstream answered 503') end
           from generate_series($1::int, $2::int) g,
                lateral (select abs(hashint8(g::bigint # 1540483477)) % 100 as type,
                                case when abs(hashint8(g::bigint)) % 1000 < 8 then 'cancelled'
                                     when abs(hashint8(g::bigint)) % 1000 < 38 then 'failed' else 'completed' end as state) h,
                lateral (select now() - interval '6 days' * (1 - (g - 1)::float8 / $3::float8) - random() * interval '1 minute' as finished,
                                (5 + power(random(), 3) * 5000) * interval '1 millisecond' as run,
                                power(random(), 8) * interval '1 minute' as delay) r,
                lateral (select r.finished - r.run - r.delay as created,
                                case when h.state = 'cancelled' then null else r.finished - r.run end as started,
                                r.finished) t
           -- In primary key order: random uuids inserted at random reach a random leaf of an index
           -- that outgrows shared_buffers; in order, a chunk sweeps it once. Times stay within the
           -- chunk's hour and a half.
           order by 2, 1`,
          [first, last, count, queue],
        );
      });
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
      if (!context.existing) await pool.query(`drop schema if exists "${schema}" cascade`).catch(() => {});
      await pool.end();
    },
  };
}
