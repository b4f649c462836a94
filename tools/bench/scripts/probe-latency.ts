/**
 * Where jobby's pickup latency goes: enqueue call, NOTIFY delivery, claim, dispatch.
 * Usage: npx tsx --conditions=@jobby/source scripts/probe-latency.ts [jobs]
 */
import { createJobbyClient, createLogger, createWorker, jobStoreOf, migrate, openDatabase, syncJobTypes } from '@jobby/core';
import { benchJobs, benchRegistry, setBenchHandler } from '../src/systems/jobby.js';

const jobs = Number(process.argv[2] ?? 200);
const schema = `probe_${process.pid}`;
const database = await openDatabase({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', schema });
await migrate(database);
const client = createJobbyClient({ database, registry: benchRegistry });
await syncJobTypes(jobStoreOf(client), benchRegistry);
// WARM_UP=0: without the worker's connection warm-up at start (to see what the first pickups pay).
const worker = createWorker({ database, registry: benchRegistry, logger: createLogger({ level: 'silent' }), concurrency: 10, prefetch: 500, dataDirectory: '/tmp/jobby-bench-plugins', warmUpConnections: process.env.WARM_UP === undefined ? undefined : Number(process.env.WARM_UP) });
const marks: Record<string, number> = {};
const store = jobStoreOf(worker.client) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
const originalClaim = store.jobClaim!;
store.jobClaim = async (...args: unknown[]) => {
  marks.claimStart ??= performance.now();
  const result = await originalClaim(...args);
  if ((result as unknown[]).length > 0) marks.claimEnd = performance.now();
  return result;
};
let started: (() => void) | undefined;
setBenchHandler(() => {
  marks.handler = performance.now();
  started?.();
});
await worker.start();
await new Promise((resolve) => setTimeout(resolve, 500));
const sums: Record<string, number[]> = { enqueue: [], untilClaim: [], claim: [], dispatch: [], total: [] };
for (let index = 0; index < jobs; index++) {
  for (const key of Object.keys(marks)) delete marks[key];
  const seen = new Promise<void>((resolve) => (started = resolve));
  const t0 = performance.now();
  await client.submit(benchJobs.refs.Noop, `l${index}`, { i: index });
  const t1 = performance.now();
  await seen;
  sums.enqueue!.push(t1 - t0);
  sums.untilClaim!.push(marks.claimStart! - t0);
  sums.claim!.push(marks.claimEnd! - marks.claimStart!);
  sums.dispatch!.push(marks.handler! - marks.claimEnd!);
  sums.total!.push(marks.handler! - t0);
  await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 15));
}
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))]!;
// Which samples were slowest (early ones point at per-connection warm-up).
const slowest = sums.total!.map((value, index) => ({ value, index })).sort((a, b) => b.value - a.value).slice(0, 6);
console.log(`slowest: ${slowest.map(({ value, index }) => `#${index} ${value.toFixed(1)} ms (enqueue ${sums.enqueue![index]!.toFixed(1)}, claim ${sums.claim![index]!.toFixed(1)})`).join(', ')}`);
for (const [name, values] of Object.entries(sums)) {
  console.log(`${name.padEnd(12)} p50 ${quantile(values, 0.5).toFixed(2)} ms, p95 ${quantile(values, 0.95).toFixed(2)}, p99 ${quantile(values, 0.99).toFixed(2)}`);
}
await worker.stop();
await database.pool.query(`drop schema ${schema} cascade`);
await database.close();
