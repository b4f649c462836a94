/**
 * What the admin indexes (migrations/0002_admin_indexes.sql) cost on the hot path: the store's own
 * enqueue → claim → complete cycle for `jobs` no-op jobs, on a table already holding `background`
 * finished jobs, with and without the two indexes, alternating, `rounds` times. Prints medians.
 *
 *   npx tsx --conditions=@jobby/source packages/admin/scripts/write-cost.ts [--jobs 20000] [--rounds 3]
 */
import { parseArgs } from 'node:util';
import { migrate, openDatabase } from '@jobby/core';
import { createJobStore } from '@jobby/core/store';
import { testPostgresUrl } from '@jobby/core/testing';
import { createAdminTables } from '../src/server/queries/tables.js';

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' }, background: { type: 'string', default: '200000' } } });
const jobs = Number(values.jobs);
const schema = 'admin_write_cost';
const database = await openDatabase({ connectionString: testPostgresUrl(), schema, poolSize: 12, applicationName: 'jobby-admin-write-cost' });
const run = async (text: string) => (await database.pool.query(text)).rows;
const tables = createAdminTables(schema);
await run(`drop schema if exists "${schema}" cascade`);
await migrate(database);
await run(`insert into ${tables.jobTypes} (id, name) values (7000, 'demo.Produce')`);
await run(`insert into ${tables.jobs} (type_id, key, state, input, input_bytes, created_at, ready_at, started_at, finished_at, attempts)
  select 7000, 'old-' || g, 'succeeded', '{"value":1}', 11, now() - interval '2 days', now() - interval '2 days', now() - interval '2 days', now() - interval '2 days', 1
  from generate_series(1, ${Number(values.background)}) g`);
await run(`insert into ${tables.jobKeys} (type_id, key, job_id) select type_id, key, id from ${tables.jobs}`);
await run(`vacuum analyze ${tables.jobs}`);
await run(`vacuum analyze ${tables.jobKeys}`);
const store = createJobStore(database);

async function cycle(label: string): Promise<{ enqueue: number; process: number }> {
  const prefix = `${label}-${Date.now()}`;
  let started = performance.now();
  for (let offset = 0; offset < jobs; offset += 500) {
    await store.jobEnqueueMany(Array.from({ length: Math.min(500, jobs - offset) }, (_, index) => ({ typeId: 7000, key: `${prefix}-${offset + index}`, inputJson: '{"value":1}' })));
  }
  const enqueue = performance.now() - started;
  started = performance.now();
  // Ten claimers of 50, completing what they claim in one batch each, until the queue is empty.
  await Promise.all(
    Array.from({ length: 10 }, async (_, worker) => {
      for (;;) {
        const claimed = await store.jobClaim({ workerId: `w${worker}`, typeIds: [7000], limit: 50, leaseSeconds: 60 });
        if (claimed.length === 0) return;
        await store.jobCompleteMany(claimed.map((job) => ({ id: job.id, attemptToken: job.attemptToken, outputJson: null })));
      }
    }),
  );
  const processMs = performance.now() - started;
  return { enqueue: jobs / (enqueue / 1000), process: jobs / (processMs / 1000) };
}

const results: Record<string, { enqueue: number[]; process: number[] }> = { with: { enqueue: [], process: [] }, without: { enqueue: [], process: [] } };
for (let round = 0; round < Number(values.rounds); round++) {
  for (const variant of round % 2 === 0 ? ['with', 'without'] : ['without', 'with']) {
    if (variant === 'without') {
      await run(`drop index if exists "${schema}".jobs_admin_state_type_idx`);
      await run(`drop index if exists "${schema}".jobs_admin_finished_idx`);
    } else {
      await run(`create index if not exists jobs_admin_state_type_idx on ${tables.jobs} (state, type_id, id) where state <> 'running'`);
      await run(`create index if not exists jobs_admin_finished_idx on ${tables.jobs} (finished_at) include (state, type_id) where finished_at is not null`);
    }
    const result = await cycle(variant);
    results[variant]!.enqueue.push(result.enqueue);
    results[variant]!.process.push(result.process);
    console.log(`round ${round + 1} ${variant.padEnd(7)} enqueue ${Math.round(result.enqueue)} jobs/s, claim+complete ${Math.round(result.process)} jobs/s`);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
for (const variant of ['with', 'without'] as const) {
  console.log(`median ${variant.padEnd(7)} enqueue ${Math.round(median(results[variant]!.enqueue))} jobs/s, claim+complete ${Math.round(median(results[variant]!.process))} jobs/s`);
}
await run(`drop schema if exists "${schema}" cascade`);
await database.close();
