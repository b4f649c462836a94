/**
 * What a batch enqueue costs when its pairs already exist (migration 0009's fallback): batches of
 * new jobs, then the same batches again, then new and existing batches alternating (each existing
 * batch after a new one pays a failed attempt before job_enqueue_many).
 * Usage: npx tsx --conditions=@jobby/source scripts/probe-resubmit.ts [jobs] [batch]
 */
import type * as Core from '@jobby/core';
// BENCH_JOBBY_CORE: another checkout's packages/core/src/index.ts, for A/B runs (see the README).
const core: typeof Core = await import(process.env.BENCH_JOBBY_CORE ?? '@jobby/core');
const { benchJobs, benchRegistry } = await import('../src/systems/jobby.js');

const jobs = Number(process.argv[2] ?? 20_000);
const batch = Number(process.argv[3] ?? 500);
const schema = `probe_${process.pid}`;
const database = await core.openDatabase({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', schema });
await core.migrate(database);
const client = core.createJobbyClient({ database, registry: benchRegistry });
await core.syncJobTypes(client.store, benchRegistry);
await client.submitMany([{ type: benchJobs.refs.Noop, key: 'warm', input: { i: -1 } }]);

const submitBatches = async (label: string, keyOf: (batchIndex: number, index: number) => string) => {
  const started = performance.now();
  let created = 0;
  for (let from = 0, batchIndex = 0; from < jobs; from += batch, batchIndex++) {
    const results = await client.submitMany(Array.from({ length: batch }, (_, index) => ({ type: benchJobs.refs.Noop, key: keyOf(batchIndex, from + index), input: { i: from + index } })));
    created += results.filter((result) => result.created).length;
  }
  const elapsed = performance.now() - started;
  console.log(`${label}: ${jobs} jobs in ${elapsed.toFixed(0)} ms, ${((jobs / elapsed) * 1000).toFixed(0)} jobs/s, ${created} created`);
};
await submitBatches('new', (_, index) => `k${index}`);
await submitBatches('existing', (_, index) => `k${index}`);
await submitBatches('alternating', (batchIndex, index) => (batchIndex % 2 === 0 ? `k${index}` : `n${index}`));
await database.pool.query(`drop schema ${schema} cascade`);
await database.close();
