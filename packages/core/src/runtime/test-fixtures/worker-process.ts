/**
 * A worker process for tests that need a real process to signal or kill: runs the demo registry
 * against `DATABASE_URL` / `JOBBY_SCHEMA` with short leases, and prints `ready <workerId>`.
 */
import { pino } from 'pino';
import { startWorkerProgram } from '../worker-program.js';
import { demoRegistry } from './demo-plugin.js';

const program = await startWorkerProgram({
  registry: demoRegistry,
  leaseSeconds: Number(process.env.TEST_LEASE_SECONDS ?? 2),
  sweepIntervalMs: Number(process.env.TEST_SWEEP_MS ?? 500),
  shutdownGraceMs: Number(process.env.TEST_GRACE_MS ?? 5_000),
  logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
});
process.stdout.write(`ready ${program.worker.id}\n`);
