import { unexpectedOutcomes } from '../checker.js';
import { Fleet } from '../fleet.js';
import { sleep } from '../harness.js';
import { coreFigures, poison as poisonType, Run, work, type Scenario } from '../scenario.js';

/**
 * poison: a handler that SIGKILLs its own process. Its job must fail after its max attempts (each
 * attempt ends in a lost lease, rescued by another worker's sweep) while other jobs keep flowing;
 * the fleet restarts the dead workers.
 */
export const poison: Scenario = async (options) => {
  const workers = 3;
  const poisonJobs = 3;
  const maxAttempts = 3;
  const durationS = options.durationS ?? (options.short ? 10 : 30);
  const run = await Run.start('poison', options);
  const fleet = new Fleet(run, { concurrency: 10, leaseSeconds: 2, sweepMs: 500, graceMs: 5_000, allowPoison: true }, true);
  try {
    await fleet.start(workers);
    await run.submit(Array.from({ length: poisonJobs }, (_, index) => ({ type: poisonType, key: `poison-${index}`, input: {}, kind: 'poison', options: { maxAttempts } })));
    const until = Date.now() + durationS * 1000;
    for (let sequence = 0; Date.now() < until; ) {
      await run.submit(
        Array.from({ length: 5 }, () => ({ type: work, key: `k${sequence++}`, input: { ms: run.random.int(0, 100) }, kind: 'normal', options: { maxAttempts: 25 } })),
        30_000,
      );
      await sleep(100);
    }
    const figures = await run.finish(120_000);
    const poisonWrong = await unexpectedOutcomes(run.chaos.pool, run.schema, 'poison', 'failed', `j.attempts = ${maxAttempts} and j.last_error->>'code' = 'LEASE_EXPIRED'`);
    const normalWrong = await unexpectedOutcomes(run.chaos.pool, run.schema, 'normal', 'succeeded');
    const deaths = fleet.unexpectedExits.length;
    const exitCodes = await fleet.stop();
    run.expect(poisonWrong.length === 0, `poison jobs not failed after ${maxAttempts} attempts with LEASE_EXPIRED: ${JSON.stringify(poisonWrong)}`);
    run.expect(normalWrong.length === 0, `normal jobs that did not succeed: ${JSON.stringify(normalWrong.slice(0, 5))}`);
    // A worker may claim several poison jobs at once: one death then ends an attempt of each.
    run.expect(deaths >= maxAttempts && deaths <= poisonJobs * maxAttempts, `${deaths} worker deaths, expected ${maxAttempts}–${poisonJobs * maxAttempts}`);
    return run.result({
      workers,
      poisonJobs,
      maxAttempts,
      workerDeaths: deaths,
      ...coreFigures(figures),
      poisonFailedAtMaxAttempts: poisonWrong.length === 0,
      exitCodesOnSigterm: exitCodes,
    });
  } finally {
    await fleet.destroy();
    await run.close();
  }
};
