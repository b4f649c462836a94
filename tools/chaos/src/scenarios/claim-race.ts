import { createWorker, openDatabase, type JobbyDatabase, type Worker } from '@jobby/core';
import { queryRetrying } from '../audit.js';
import { chaosRegistry } from '../plugin.js';
import { coreFigures, Run, silentLogger, work, type Scenario } from '../scenario.js';

/**
 * claim-race: 8 claimers (workers, each with its own connection pool) race for 5,000 queued jobs.
 * Every job must be claimed exactly once (the claim trigger records each claim) and completed once.
 */
export const claimRace: Scenario = async (options) => {
  const claimers = 8;
  const total = options.short ? 1_000 : 5_000;
  const run = await Run.start('claim-race', options, 20);
  const databases: JobbyDatabase[] = [];
  const workers: Worker[] = [];
  try {
    // All jobs exist before any claimer starts, so every claimer's first claims collide.
    for (let start = 0; start < total; start += 1_000) {
      await run.submit(Array.from({ length: Math.min(1_000, total - start) }, (_, index) => ({ type: work, key: `job-${start + index}`, input: { ms: run.random.int(0, 3) }, kind: 'work', options: { maxAttempts: 3 } })));
    }
    for (let index = 0; index < claimers; index++) {
      const database = await openDatabase({ connectionString: run.connectionString, schema: run.schema, poolSize: 3, applicationName: 'chaos-claimer' });
      databases.push(database);
      // Prefetch varies per claimer so batch sizes differ; leases are long: no re-claim is legitimate.
      workers.push(createWorker({ database, registry: chaosRegistry, logger: silentLogger, concurrency: 10, prefetch: run.random.int(0, 20), leaseSeconds: 120, sweepIntervalMs: 1_000, workerId: `claimer-${index}` }));
    }
    const started = Date.now();
    await Promise.all(workers.map((worker) => worker.start()));
    const figures = await run.finish(options.short ? 60_000 : 180_000);
    const elapsedMs = Date.now() - started;
    const { rows } = await queryRetrying<{ claims: string; claimed_twice: string; claimed_jobs: string; per_claimer: number[] }>(
      run.chaos.pool,
      `select (select count(*) from ${run.schema}.chaos_claims) as claims,
              (select count(*) from (select job_id from ${run.schema}.chaos_claims group by job_id having count(*) > 1) d) as claimed_twice,
              (select count(distinct job_id) from ${run.schema}.chaos_claims) as claimed_jobs,
              (select array_agg(n order by worker_id) from (select worker_id, count(*)::int as n from ${run.schema}.chaos_claims group by worker_id) w) as per_claimer`,
    );
    const claims = rows[0]!;
    run.expect(Number(claims.claimed_twice) === 0, `${claims.claimed_twice} jobs were claimed more than once`);
    run.expect(Number(claims.claimed_jobs) === total, `${claims.claimed_jobs} of ${total} jobs were claimed`);
    run.expect(figures.completed === total, `${figures.completed} of ${total} jobs completed`);
    run.expect(figures.executions === total, `${figures.executions} executions for ${total} jobs`);
    return run.result({
      claimers,
      jobs: total,
      ...coreFigures(figures),
      claims: Number(claims.claims),
      claimedTwice: Number(claims.claimed_twice),
      claimsPerClaimer: claims.per_claimer,
      jobsPerSecond: Math.round((total / elapsedMs) * 1000),
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.stop({ graceMs: 5_000 }).catch(() => {})));
    await Promise.all(databases.map((database) => database.close().catch(() => {})));
    await run.close();
  }
};
