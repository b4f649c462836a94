/**
 * A worker process for tests that need a real process to signal or kill: runs the demo registry
 * against `DATABASE_URL` / `JOBBY_SCHEMA` with short leases, prints `ready <workerId>`, and stops
 * gracefully on SIGTERM/SIGINT (exit 0) as the CLI's worker programs do.
 */
import { pino } from 'pino';
import { runWorker } from '../run-worker.js';
import { demoRegistry } from '../../testing/demo-plugin.js';

const running = await runWorker({
  registry: demoRegistry,
  leaseSeconds: Number(process.env.TEST_LEASE_SECONDS ?? 2),
  sweepIntervalMs: Number(process.env.TEST_SWEEP_MS ?? 500),
  shutdownGraceMs: Number(process.env.TEST_GRACE_MS ?? 5_000),
  logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
});
const stop = () => {
  running.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdout.write(`ready ${running.worker.id}\n`);
