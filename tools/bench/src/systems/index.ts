import type { BenchContext, BenchSystem, SystemName } from '../system.js';
import { createBullmqSystem } from './bullmq.js';
import { createGraphileWorkerSystem } from './graphile-worker.js';
import { createJobbySystem, defaultJobbySettings } from './jobby.js';
import { createPgBossSystem } from './pg-boss.js';
import { createRawPgSystem } from './raw-pg.js';

export function createSystem(name: SystemName, context: BenchContext, options: { jobbyPrefetch?: number } = {}): BenchSystem {
  switch (name) {
    case 'jobby':
      return createJobbySystem(context, { ...defaultJobbySettings, ...(options.jobbyPrefetch === undefined ? {} : { prefetch: options.jobbyPrefetch }) });
    case 'graphile-worker':
      return createGraphileWorkerSystem(context);
    case 'pg-boss':
      return createPgBossSystem(context);
    case 'bullmq':
      return createBullmqSystem(context);
    case 'raw-pg':
      return createRawPgSystem(context);
    default:
      throw new Error(`unknown system ${String(name)}`);
  }
}
