/**
 * A chaos worker process: the real worker program (`runWorker`: migrations with retry; the CLI's
 * `stopOnSignals`: a graceful stop on SIGTERM) over the chaos registry, against DATABASE_URL / JOBBY_SCHEMA. Prints
 * `ready <workerId>` once it runs. Settings come from CHAOS_* variables.
 */
import { createLogger, runWorker } from '@jobby/core';
import { stopOnSignals } from '@jobby/cli/worker-program';
import { newPool } from './audit.js';
import { chaosRegistry, configureChaosAudit } from './plugin.js';

const env = process.env;
const schema = env.JOBBY_SCHEMA!;
const auditPool = newPool(env.DATABASE_URL!, 4, 'chaos-audit');
configureChaosAudit({ pool: auditPool, schema });

const logger = createLogger({ level: env.CHAOS_LOG_LEVEL ?? 'silent' });
const running = await runWorker({
  registry: chaosRegistry,
  database: { connectionString: env.DATABASE_URL, schema },
  concurrency: Number(env.CHAOS_CONCURRENCY ?? 10),
  leaseSeconds: Number(env.CHAOS_LEASE_SECONDS ?? 3),
  sweepIntervalMs: Number(env.CHAOS_SWEEP_MS ?? 1_000),
  shutdownGraceMs: Number(env.CHAOS_GRACE_MS ?? 10_000),
  logger,
});
stopOnSignals(() => running.stop(), logger);
process.stdout.write(`ready ${running.worker.id}\n`);
