import { randomBytes } from 'node:crypto';
import { createSystem } from './systems/index.js';
import type { SystemName, TestName } from './system.js';
import { fullSizes, runWorkload, smokeSizes } from './workloads.js';

/**
 * One measurement in its own process: one system, one test, a fresh schema, then the schema is
 * dropped. A fresh process per run keeps one system's heap, pools and timers from touching the
 * next, and makes the peak RSS that of this system alone. Prints one JSON line on stdout.
 *
 * Usage: runner.ts <system> <test> <connection string> [--smoke] [--jobby-prefetch N]
 */

const [systemName, testName, connectionString, ...flags] = process.argv.slice(2);
const smoke = flags.includes('--smoke');
const prefetchFlag = flags.indexOf('--jobby-prefetch');
const schema = `${smoke ? 'benchsmoke' : 'bench'}_${systemName!.replace(/[^a-z]/g, '')}_${randomBytes(4).toString('hex')}`;
const system = createSystem(systemName as SystemName, { connectionString: connectionString!, schema, concurrency: 10 }, {
  jobbyPrefetch: prefetchFlag >= 0 ? Number(flags[prefetchFlag + 1]) : undefined,
});
let exitCode = 0;
try {
  await system.setup();
  const measurement = await runWorkload(system, testName as TestName, smoke ? smokeSizes : fullSizes, connectionString!);
  process.stdout.write(`${JSON.stringify({ variant: system.variant, measurement: measurement ?? null })}\n`);
} catch (error) {
  process.stderr.write(`${systemName} ${testName}: ${(error as Error).stack ?? String(error)}\n`);
  exitCode = 1;
} finally {
  await system.teardown().catch((error: unknown) => process.stderr.write(`teardown: ${String(error)}\n`));
}
process.exit(exitCode);
