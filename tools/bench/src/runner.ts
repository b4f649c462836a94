import { randomBytes } from 'node:crypto';
import { createSystem } from './systems/index.js';
import type { SystemName, TestName } from './system.js';
import { fullSizes, runWorkload, smokeSizes, vacuumAnalyze } from './workloads.js';

/**
 * One measurement in its own process: one system, one test, a fresh schema, then the schema is
 * dropped. A fresh process per run keeps one system's heap, pools and timers from touching the
 * next, and makes the peak RSS that of this system alone. Prints one JSON line on stdout.
 *
 * `process-history` is the exception: main.ts first runs `seed-history` here, which creates the
 * schema it names (`--schema`), fills it with `--history-jobs` finished jobs, VACUUM ANALYZEs it and
 * leaves it in place; each round's `process-history` then opens that schema (`--existing`), with
 * keys of its own (`--round`), and leaves it for the next round. main.ts drops it at the end.
 *
 * Usage: runner.ts <system> <test | seed-history> <connection string> [--smoke] [--jobby-prefetch N]
 *                  [--redis-url URL] [--schema NAME] [--existing] [--history-jobs N] [--round N]
 */

const [systemName, testName, connectionString, ...flags] = process.argv.slice(2);
const flag = (name: string) => {
  const index = flags.indexOf(name);
  return index >= 0 ? flags[index + 1] : undefined;
};
const smoke = flags.includes('--smoke');
const prefetch = flag('--jobby-prefetch');
const schema = flag('--schema') ?? `${smoke ? 'benchsmoke' : 'bench'}_${systemName!.replace(/[^a-z]/g, '')}_${randomBytes(4).toString('hex')}`;
const context = {
  connectionString: connectionString!,
  redisUrl: flag('--redis-url') ?? 'redis://127.0.0.1:6379',
  schema,
  concurrency: 10,
  existing: flags.includes('--existing'),
};
const system = createSystem(systemName as SystemName, context, { jobbyPrefetch: prefetch === undefined ? undefined : Number(prefetch) });
const sizes = smoke ? smokeSizes : fullSizes;
let exitCode = 0;
try {
  await system.setup();
  if (testName === 'seed-history') {
    if (!system.fillHistory) {
      process.stdout.write(`${JSON.stringify({ variant: system.variant, seeded: false })}\n`);
    } else {
      const count = Number(flag('--history-jobs'));
      const started = performance.now();
      await system.fillHistory(count);
      const seedSeconds = (performance.now() - started) / 1000;
      await vacuumAnalyze(connectionString!, system.tables());
      const vacuumSeconds = (performance.now() - started) / 1000 - seedSeconds;
      // From here on the schema belongs to the run: teardown closes connections and keeps it.
      context.existing = true;
      process.stdout.write(`${JSON.stringify({ variant: system.variant, seeded: true, seedSeconds, vacuumSeconds })}\n`);
    }
  } else {
    // Rounds of process-history share the schema: each enqueues keys no earlier round used.
    const firstIndex = testName === 'process-history' ? Number(flag('--round') ?? 1) * sizes.process : 0;
    const measurement = await runWorkload(system, testName as TestName, sizes, connectionString!, { firstIndex });
    process.stdout.write(`${JSON.stringify({ variant: system.variant, measurement: measurement ?? null })}\n`);
  }
} catch (error) {
  process.stderr.write(`${systemName} ${testName}: ${(error as Error).stack ?? String(error)}\n`);
  exitCode = 1;
} finally {
  await system.teardown().catch((error: unknown) => process.stderr.write(`teardown: ${String(error)}\n`));
}
process.exit(exitCode);
