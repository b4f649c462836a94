import { Fleet } from '../fleet.js';
import { ensurePostgresRunning, pgControl, sleep, watchReady } from '../harness.js';
import { queryRetrying } from '../audit.js';
import { coreFigures, Run, work, type Scenario } from '../scenario.js';

/**
 * db-down-at-boot: jobs are queued, Postgres is stopped, workers start (and wait), then Postgres
 * starts: processing must start within 10 s of Postgres accepting connections; 0 lost.
 */
export const dbDownAtBoot: Scenario = async (options) => {
  const workers = 2;
  const startBoundMs = 10_000;
  const downMs = options.short ? 3_000 : 6_000;
  const run = await Run.start('db-down-at-boot', options);
  const fleet = new Fleet(run, { concurrency: 10, leaseSeconds: 5, sweepMs: 1_000, graceMs: 5_000 }, false);
  try {
    await run.submit(Array.from({ length: 300 }, (_, index) => ({ type: work, key: `job-${index}`, input: { ms: run.random.int(0, 50) }, kind: 'work', options: { maxAttempts: 25 } })));
    let readyAt = 0;
    try {
      await pgControl('stop');
      await fleet.start(workers, false);
      await sleep(downMs);
    } finally {
      const watch = watchReady(run.connectionString, { down: false });
      await pgControl('start').catch(() => {});
      await ensurePostgresRunning(run.connectionString);
      readyAt = await watch.readyAt;
    }
    const deadline = Date.now() + 60_000;
    let firstCompletionMs: number | null = null;
    while (firstCompletionMs === null && Date.now() < deadline) {
      const { rows } = await queryRetrying<{ at: Date | null }>(run.chaos.pool, `select min(at) as at from ${run.schema}.chaos_completions`);
      if (rows[0]!.at) firstCompletionMs = rows[0]!.at.getTime() - readyAt;
      else await sleep(100);
    }
    const figures = await run.finish(60_000);
    const exitedDuringRun = fleet.unexpectedExits.length;
    const exitCodes = await fleet.stop();
    run.expect(firstCompletionMs !== null && firstCompletionMs <= startBoundMs, `processing started ${firstCompletionMs} ms after Postgres was ready (bound ${startBoundMs} ms)`);
    run.expect(exitedDuringRun === 0, `${exitedDuringRun} worker processes exited: ${JSON.stringify(fleet.unexpectedExits.slice(0, 2))}`);
    run.expect(exitCodes.every((code) => code === 0), `workers exited ${JSON.stringify(exitCodes)} on SIGTERM`);
    return run.result({
      workers,
      postgresDownMs: downMs,
      firstCompletionAfterMs: firstCompletionMs,
      startBoundMs,
      workerExits: exitedDuringRun,
      ...coreFigures(figures),
      exitCodesOnSigterm: exitCodes,
    });
  } finally {
    await ensurePostgresRunning(run.connectionString).catch(() => {});
    await fleet.destroy();
    await run.close();
  }
};
