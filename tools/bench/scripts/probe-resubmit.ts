/**
 * What a batch enqueue costs when its pairs already exist (migration 0009's fallback): batches of
 * new jobs, then the same batches again, then new and existing batches alternating (each existing
 * batch after a new one pays a failed attempt before job_enqueue_many).
 * Usage: npx tsx --conditions=@jobby/source scripts/probe-resubmit.ts [jobs] [batch]
 */
import { openProbeClient } from './probe-client.js';

const jobs = Number(process.argv[2] ?? 20_000);
const batch = Number(process.argv[3] ?? 500);
const { client, noop, close } = await openProbeClient();

const submitBatches = async (label: string, keyOf: (batchIndex: number, index: number) => string) => {
  const started = performance.now();
  let created = 0;
  for (let from = 0, batchIndex = 0; from < jobs; from += batch, batchIndex++) {
    const results = await client.submitMany(Array.from({ length: batch }, (_, index) => ({ type: noop, key: keyOf(batchIndex, from + index), input: { i: from + index } })));
    created += results.filter((result) => result.created).length;
  }
  const elapsed = performance.now() - started;
  console.log(`${label}: ${jobs} jobs in ${elapsed.toFixed(0)} ms, ${((jobs / elapsed) * 1000).toFixed(0)} jobs/s, ${created} created`);
};
await submitBatches('new', (_, index) => `k${index}`);
await submitBatches('existing', (_, index) => `k${index}`);
await submitBatches('alternating', (batchIndex, index) => (batchIndex % 2 === 0 ? `k${index}` : `n${index}`));
await close();
