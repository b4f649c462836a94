import pg from 'pg';
import { seedInChunks } from '../seed-chunks.js';
import type { BenchContext, BenchSystem, OnJobStart } from '../system.js';

/**
 * The floor: what Postgres allows here with the simplest queue that still is one. One table, a
 * partial index on queued rows, `FOR UPDATE SKIP LOCKED` claims of 50 rows in one UPDATE, and
 * completion by one UPDATE per batch (rows are kept, like jobby keeps them, so `process-bloated`
 * and `process-history` mean the same thing). `concurrency` independent loops, each on its own pooled connection;
 * NOTIFY wakes idle loops. No leases, retries, payload checks or dependencies. The claim gets the
 * same planner settings as jobby's (no sort, no bitmap scan) so that it walks its index in order.
 */

const claimSize = 50;

export function createRawPgSystem(context: BenchContext): BenchSystem {
  const schema = `"${context.schema}"`;
  const channel = `raw_${context.schema}`;
  const pool = new pg.Pool({ connectionString: context.connectionString, max: context.concurrency + 2, application_name: 'bench-raw-pg' });
  let listener: pg.Client | undefined;
  let running = false;
  /** The highest id before the worker started: the jobs of this measurement are above it. */
  let idFloor = '0';
  let loops: Promise<void>[] = [];
  let wakers: (() => void)[] = [];
  const wakeAll = () => {
    const waiting = wakers;
    wakers = [];
    for (const wake of waiting) wake();
  };
  const insertSql = `with inserted as (
      insert into ${schema}.jobs (payload) select value from jsonb_array_elements($1::jsonb) returning 1)
    select pg_notify('${channel}', '') from (select 1 from inserted limit 1) as any_inserted`;
  return {
    name: 'raw-pg',
    storage: 'postgres',
    variant: `claim=${claimSize}`,
    async setup() {
      if (context.existing) return;
      await pool.query(`create schema ${schema}`);
      await pool.query(`
        create table ${schema}.jobs (
          id bigint generated always as identity primary key,
          payload jsonb not null,
          state smallint not null default 0, -- 0 queued, 1 running, 2 done
          run_at timestamptz not null default now(),
          locked_at timestamptz,
          attempts int not null default 0
        );
        create index on ${schema}.jobs (run_at, id) where state = 0;`);
    },
    async enqueueBatch(from, count) {
      await pool.query(insertSql, [JSON.stringify(Array.from({ length: count }, (_, index) => ({ i: from + index })))]);
    },
    async enqueueOne(index) {
      await pool.query(`with inserted as (insert into ${schema}.jobs (payload) values ($1) returning 1) select pg_notify('${channel}', '') from inserted`, [{ i: index }]);
    },
    async startWorker(onStart: OnJobStart) {
      idFloor = (await pool.query(`select coalesce(max(id), 0)::text as floor from ${schema}.jobs`)).rows[0].floor;
      running = true;
      listener = new pg.Client({ connectionString: context.connectionString, application_name: 'bench-raw-pg-listen' });
      await listener.connect();
      listener.on('notification', wakeAll);
      await listener.query(`listen "${channel}"`);
      const loop = async () => {
        while (running) {
          // One simple query: the planner settings hold for this implicit transaction only. Without
          // them a table without statistics gets "read every queued row and sort" (see jobby's
          // job-claim.ts): the floor should not suffer from that.
          const results = (await pool.query(
            `set local enable_sort = off; set local enable_bitmapscan = off;
             update ${schema}.jobs set state = 1, locked_at = now(), attempts = attempts + 1
             where id in (select id from ${schema}.jobs where state = 0 and run_at <= now() order by run_at, id limit ${claimSize} for update skip locked)
             returning id, payload`,
          )) as unknown as pg.QueryResult[];
          const rows = results[results.length - 1]!.rows;
          if (rows.length === 0) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, 1_000);
              wakers.push(() => {
                clearTimeout(timer);
                resolve();
              });
            });
            continue;
          }
          for (const row of rows) {
            onStart(row.payload.i);
            await Promise.resolve();
          }
          await pool.query(`update ${schema}.jobs set state = 2 where id = any($1::bigint[])`, [rows.map((row) => row.id)]);
        }
      };
      loops = Array.from({ length: context.concurrency }, loop);
    },
    async stopWorker() {
      running = false;
      wakeAll();
      await Promise.all(loops);
      await listener?.end();
      listener = undefined;
    },
    async unfinished() {
      // Only the jobs enqueued since the worker started, through the primary key: `state < 2`
      // matches no index, and with 1M done rows a scan of the table took 0.3 s per poll here,
      // counted in the timed window and taken from the system's CPU (process-bloated, -history).
      const { rows } = await pool.query(`select count(*)::int as n from ${schema}.jobs where id > $1 and state < 2`, [idFloor]);
      return rows[0].n;
    },
    async fillFinished(count) {
      await pool.query(`insert into ${schema}.jobs (payload, state, locked_at, attempts) select jsonb_build_object('i', g), 2, now(), 1 from generate_series(1, $1::int) g`, [count]);
    },
    async fillHistory(count) {
      // Done rows as a run leaves them, finished over the 14 days before the seeding.
      await seedInChunks(context.connectionString, count, async (client, first, last) => {
        await client.query(
          `insert into ${schema}.jobs (payload, state, run_at, locked_at, attempts)
           select jsonb_build_object('i', g, 'tenant', 'tenant-' || g % 97), 2, t - power(random(), 8) * interval '1 minute', t, 1
           from generate_series($1::int, $2::int) g,
                lateral (select now() - interval '14 days' * (1 - (g - 1)::float8 / $3::float8) - random() * interval '1 minute' as t) times`,
          [first, last, count],
        );
      });
    },
    tables() {
      return [`${schema}.jobs`];
    },
    async teardown() {
      if (running) await this.stopWorker().catch(() => {});
      if (!context.existing) await pool.query(`drop schema if exists ${schema} cascade`).catch(() => {});
      await pool.end();
    },
  };
}
