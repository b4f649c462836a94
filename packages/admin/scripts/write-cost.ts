/**
 * What the admin's index (migrations/0002_admin_reads.sql: job_outcomes_unsuccessful_idx) costs
 * on the hot path: the store's own enqueue → claim → finish cycle for `jobs` no-op jobs, of which
 * `failPercent` % fail for good (only those get an entry in the partial index), on a store
 * already holding `background` finished jobs, with and without the index, alternating, `rounds`
 * times. Prints medians.
 *
 *   npx tsx --conditions=@jobby/source packages/admin/scripts/write-cost.ts [--jobs 20000] [--rounds 3] [--fail-percent 5]
 */
import { parseArgs } from 'node:util';
import { migrate, openDatabase } from '@jobby/core';
import { createJobStore } from '@jobby/core/store';
import { testPostgresUrl } from '@jobby/core/testing';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    background: { type: 'string', default: '200000' },
    'fail-percent': { type: 'string', default: '5' },
  },
});
const jobs = Number(values.jobs);
const failEvery = Math.max(1, Math.round(100 / Number(values['fail-percent'])));
const schema = 'admin_write_cost';
const database = await openDatabase({ connectionString: testPostgresUrl(), schema, poolSize: 12, applicationName: 'jobby-admin-write-cost' });
const run = async (text: string) => (await database.pool.query(text)).rows;
await run(`drop schema if exists "${schema}" cascade`);
await migrate(database);
await run(`insert into "${schema}".job_types (id, name) values (7000, 'demo.Produce')`);
await run(`insert into "${schema}".jobs (type_id, key, input, input_bytes, created_at, run_at)
  select 7000, 'old-' || g, '{"value":1}', 11, now() - interval '2 days', now() - interval '2 days' from generate_series(1, ${Number(values.background)}) g`);
await run(`insert into "${schema}".job_outcomes (job_id, attempt, type_id, outcome, final, ready_at, started_at, finished_at)
  select id, 1, 7000, (case when id % ${failEvery} = 0 then 'failed' else 'succeeded' end)::"${schema}".job_outcome, true, created_at, created_at, created_at
  from "${schema}".jobs`);
await run(`vacuum analyze "${schema}".jobs`);
await run(`vacuum analyze "${schema}".job_outcomes`);
const store = createJobStore(database);

async function cycle(label: string): Promise<{ enqueue: number; process: number }> {
  const prefix = `${label}-${Date.now()}`;
  let started = performance.now();
  for (let offset = 0; offset < jobs; offset += 500) {
    await store.jobEnqueueMany(Array.from({ length: Math.min(500, jobs - offset) }, (_, index) => ({ typeId: 7000, key: `${prefix}-${offset + index}`, inputJson: '{"value":1}' })));
  }
  const enqueue = performance.now() - started;
  started = performance.now();
  // Ten claimers of 50, finishing what they claim in one batch each (every failEvery-th job fails
  // for good), until the queue is empty.
  let finished = 0;
  await Promise.all(
    Array.from({ length: 10 }, async (_, worker) => {
      for (;;) {
        const claimed = await store.jobClaim({ workerId: `w${worker}`, typeIds: [7000], limit: 50, leaseSeconds: 60 });
        if (claimed.length === 0) return;
        const failing = claimed.filter(() => ++finished % failEvery === 0);
        const succeeding = claimed.filter((job) => !failing.includes(job));
        if (succeeding.length > 0) await store.jobCompleteMany(succeeding.map((job) => ({ id: job.id, attemptToken: job.attemptToken, outputJson: null })));
        if (failing.length > 0) {
          await store.jobFailMany(failing.map((job) => ({ id: job.id, attemptToken: job.attemptToken, error: { code: 'X', message: 'failed on purpose' }, retryable: false })));
        }
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
      await run(`drop index if exists "${schema}".job_outcomes_unsuccessful_idx`);
    } else {
      await run(`create index if not exists job_outcomes_unsuccessful_idx on "${schema}".job_outcomes (job_id) include (type_id, outcome) where final and outcome <> 'succeeded'`);
    }
    const result = await cycle(variant);
    results[variant]!.enqueue.push(result.enqueue);
    results[variant]!.process.push(result.process);
    console.log(`round ${round + 1} ${variant.padEnd(7)} enqueue ${Math.round(result.enqueue)} jobs/s, claim+finish ${Math.round(result.process)} jobs/s`);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
for (const variant of ['with', 'without'] as const) {
  console.log(`median ${variant.padEnd(7)} enqueue ${Math.round(median(results[variant]!.enqueue))} jobs/s, claim+finish ${Math.round(median(results[variant]!.process))} jobs/s`);
}
await run(`drop schema if exists "${schema}" cascade`);
await database.close();
