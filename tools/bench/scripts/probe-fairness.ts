/**
 * Fairness between job types (issue 19): how long healthy jobs of one type wait while another type
 * is in a retry storm. One worker (concurrency 10, prefetch 500) runs two types: `Storm` takes
 * 5 ms (STORM_MS) and fails every attempt but its last (5,000 jobs × 8 attempts (STORM_ATTEMPTS),
 * backoff 20–40 ms), `Healthy` does nothing.
 * Healthy jobs are submitted one at a time, 20 per second; their wait is start − submit.
 * Calm: the same without the storm.
 *
 * Usage: npx tsx --conditions=@jobby/source scripts/probe-fairness.ts [healthy jobs]
 * `BENCH_JOBBY_CORE=/path/to/other/packages/core/src/index.ts` measures another checkout (before/after).
 */
import type * as Core from '@jobby/core';
import type { ModuleContext, PluginModule, WorkerRegistry } from '@jobby/core';

const { createJobbyClient, createLogger, createWorker, defineJobs, definePlugin, defineRegistry, jobStoreOf, migrate, openDatabase, payload, syncJobTypes }: typeof Core =
  await import(process.env.BENCH_JOBBY_CORE ?? '@jobby/core');

enum FairJob {
  Storm = 0,
  Healthy = 1,
}
const fairJobs = defineJobs({
  plugin: 'fair',
  enum: FairJob,
  types: { Storm: { input: payload<{ i: number }>() }, Healthy: { input: payload<{ i: number }>() } },
});
const startedAt = new Map<number, number>();
const stormAttempts = Number(process.env.STORM_ATTEMPTS ?? 8);
const stormMs = Number(process.env.STORM_MS ?? 5);
class FairModule implements PluginModule<typeof fairJobs> {
  static initialize(_context: ModuleContext): FairModule {
    return new FairModule();
  }
  workers(registry: WorkerRegistry<typeof fairJobs>): void {
    registry.register(FairJob.Storm, 'storm', async ({ job }) => {
      if (stormMs > 0) await new Promise((resolve) => setTimeout(resolve, stormMs));
      if (job.attempt < stormAttempts) throw new Error('storm');
      return null;
    }, { backoffBaseMs: 20, backoffMaxMs: 40 });
    registry.register(FairJob.Healthy, 'healthy', ({ input }) => {
      startedAt.set(input.i, performance.now());
      return null;
    });
  }
  jobs(): void {}
}
const schemaOf = { type: 'object', properties: { i: { type: 'integer' } }, required: ['i'] };
const registry = defineRegistry({
  plugins: [{
    name: 'fair', clientId: 8, packageName: '@jobby/fair', version: '0.0.0',
    definition: definePlugin({ jobs: fairJobs, module: FairModule }),
    jobTypes: [
      { id: 8000, localId: 0, name: 'Storm', submittable: false, inputSchema: schemaOf },
      { id: 8001, localId: 1, name: 'Healthy', submittable: false, inputSchema: schemaOf },
    ],
  }],
});

const healthyCount = Number(process.argv[2] ?? 60);
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))]!;

async function run(storm: boolean): Promise<number[]> {
  const schema = `probe_fair_${process.pid}_${storm ? 'storm' : 'calm'}`;
  const database = await openDatabase({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', schema });
  await migrate(database);
  const client = createJobbyClient({ database, registry });
  await syncJobTypes(jobStoreOf(client), registry);
  const worker = createWorker({ database, registry, logger: createLogger({ level: 'silent' }), concurrency: 10, prefetch: 500, dataDirectory: '/tmp/jobby-bench-plugins' });
  await worker.start();
  startedAt.clear();
  if (storm) {
    await client.submitMany(Array.from({ length: 5_000 }, (_, i) => ({ type: 'fair.Storm' as never, key: `s${i}`, input: { i } as never, options: { maxAttempts: 20 } })));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const submittedAt = new Map<number, number>();
  for (let i = 0; i < healthyCount; i++) {
    submittedAt.set(i, performance.now());
    await client.submit('fair.Healthy' as never, `h${i}`, { i } as never);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const deadline = Date.now() + 120_000;
  while (startedAt.size < healthyCount && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const stormLeft = storm ? Number((await database.pool.query(`select count(*) from ${schema}.job_queue`)).rows[0].count) : 0;
  await worker.stop();
  await database.pool.query(`drop schema ${schema} cascade`);
  await database.close();
  const waits = [...submittedAt].map(([i, at]) => (startedAt.get(i) ?? Number.NaN) - at);
  console.log(`${storm ? 'storm' : 'calm '}: healthy wait p50 ${quantile(waits, 0.5).toFixed(1)} ms, p95 ${quantile(waits, 0.95).toFixed(1)}, max ${quantile(waits, 1).toFixed(1)} (${healthyCount} jobs${storm ? `; storm jobs still queued at the end: ${stormLeft}` : ''})`);
  return waits;
}

await run(false);
await run(true);
