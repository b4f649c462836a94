/**
 * Where jobby's `enqueue-batch` time goes: Node CPU vs wall time, per batch of 500.
 * Usage: npx tsx --conditions=@jobby/source scripts/probe-enqueue.ts [jobs] [batch]
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { openProbeClient } from './probe-client.js';

const jobs = Number(process.argv[2] ?? 20_000);
const batch = Number(process.argv[3] ?? 500);
const { client, noop, close } = await openProbeClient();
let prepareMs = 0;
// PROFILE=/tmp/e.cpuprofile: a CPU profile of the timed part only; with HEAP=1, an allocation
// profile (sampled) instead.
const session = process.env.PROFILE ? new Session() : undefined;
if (session) {
  session.connect();
  if (process.env.HEAP) {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  } else {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: Number(process.env.INTERVAL ?? 1000) });
    await session.post('Profiler.start');
  }
}
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let from = 0; from < jobs; from += batch) {
  const p0 = performance.now();
  const list = Array.from({ length: batch }, (_, index) => ({ type: noop, key: `k${from + index}`, input: { i: from + index } }));
  const prepared = list.map((job) => client.prepare(job.type, job.key, job.input));
  prepareMs += performance.now() - p0;
  void prepared;
  await client.submitMany(list);
}
const elapsed = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
if (session) {
  const { profile } = process.env.HEAP ? await session.post('HeapProfiler.stopSampling') : await session.post('Profiler.stop');
  writeFileSync(process.env.PROFILE!, JSON.stringify(profile));
}
console.log(`${jobs} jobs in ${elapsed.toFixed(0)} ms: ${((jobs / elapsed) * 1000).toFixed(0)} jobs/s; node cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms; prepare alone ${prepareMs.toFixed(0)} ms`);
await close();
