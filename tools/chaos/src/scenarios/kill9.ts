import { unexpectedOutcomes } from '../checker.js';
import { Fleet } from '../fleet.js';
import { sleep } from '../harness.js';
import { coreFigures, join, Run, work, type Scenario } from '../scenario.js';

/**
 * kill9: 4 worker processes; a producer at 100 jobs/s with mixed durations (mostly short, a few
 * seconds long), some failing a few times, some always failing, plus DAG workflows (3 parents →
 * 1 join); every 2–6 s a random worker is SIGKILLed and restarted.
 *
 * Checks: lost = 0, doubleCompleted = 0; re-claim p99 ≤ lease + sweep interval (+ slack for a
 * loaded 2-core machine, see README); always-failing jobs failed at exactly their max attempts;
 * duplicate executions ≤ kills × concurrency.
 */
export const kill9: Scenario = async (options) => {
  const workers = 4;
  const concurrency = 10;
  const leaseSeconds = 3;
  const sweepMs = 1_000;
  const slackMs = 1_500;
  const durationS = options.durationS ?? (options.short ? 15 : 60);
  const ratePerSecond = 100;
  const run = await Run.start('kill9', options);
  const fleet = new Fleet(run, { concurrency, leaseSeconds, sweepMs, graceMs: 5_000 }, true);
  try {
    await fleet.start(workers);
    run.log(`${workers} workers ready; producing ${ratePerSecond} jobs/s for ${durationS} s`);
    const until = Date.now() + durationS * 1000;
    let sequence = 0;
    const killer = (async () => {
      while (Date.now() < until) {
        await sleep(run.random.int(2_000, 6_000));
        if (Date.now() >= until) break;
        await fleet.kill(run.random.int(0, workers - 1));
      }
    })();
    // 10 ticks a second, 10 jobs a tick (a workflow counts its 4 jobs).
    for (let tick = 0; Date.now() < until; tick++) {
      const tickStart = Date.now();
      const batch: Parameters<Run['submit']>[0] = [];
      while (batch.length < ratePerSecond / 10) {
        const key = `k${sequence++}`;
        const roll = run.random.next();
        if (roll < 0.8) batch.push({ type: work, key, input: { ms: run.random.int(0, 50) }, kind: 'short', options: { maxAttempts: 10 } });
        else if (roll < 0.84) batch.push({ type: work, key, input: { ms: run.random.int(1_000, 4_000) }, kind: 'long', options: { maxAttempts: 10 } });
        else if (roll < 0.92) batch.push({ type: work, key, input: { ms: run.random.int(0, 30), failTimes: run.random.int(1, 3) }, kind: 'flaky', options: { maxAttempts: 10 } });
        else if (roll < 0.96) batch.push({ type: work, key, input: { ms: run.random.int(0, 30), alwaysFail: true }, kind: 'always-failing', options: { maxAttempts: 3 } });
        else {
          const parents = [0, 1, 2].map((index) => ({ type: work, key: `${key}-p${index}`, input: { ms: run.random.int(0, 200) }, kind: 'workflow-parent', options: { maxAttempts: 10 } }));
          batch.push(...parents, {
            type: join,
            key: `${key}-join`,
            input: { parents: 3 },
            kind: 'workflow-join',
            options: { maxAttempts: 10, dependsOn: parents.map((parent) => ({ type: work, key: parent.key })) },
          });
        }
      }
      await run.submit(batch, 30_000);
      await sleep(Math.max(0, 100 - (Date.now() - tickStart)));
    }
    await killer;
    const producedMs = Date.now() - run.startedAt;
    run.log(`produced ${run.enqueued.length} jobs, ${fleet.kills} kills; draining`);
    const figures = await run.finish(120_000);
    const reclaim = await fleet.reclaims();
    const exitCodes = await fleet.stop();
    const boundMs = leaseSeconds * 1000 + sweepMs;
    const alwaysFailingWrong = await unexpectedOutcomes(run.chaos.pool, run.schema, 'always-failing', 'failed', 'j.attempts = e.max_attempts');
    const shouldSucceed = [];
    for (const kind of ['short', 'long', 'flaky', 'workflow-parent', 'workflow-join']) shouldSucceed.push(...(await unexpectedOutcomes(run.chaos.pool, run.schema, kind, 'succeeded')));
    run.expect(reclaim.p99 === null || reclaim.p99 <= boundMs + slackMs, `re-claim p99 ${reclaim.p99} ms > lease + sweep ${boundMs} ms + slack ${slackMs} ms`);
    run.expect(reclaim.missing === 0, `${reclaim.missing} jobs held by killed workers were never claimed again`);
    run.expect(alwaysFailingWrong.length === 0, `always-failing jobs not failed at their max attempts: ${JSON.stringify(alwaysFailingWrong.slice(0, 5))}`);
    run.expect(shouldSucceed.length === 0, `jobs that should have succeeded did not: ${JSON.stringify(shouldSucceed.slice(0, 5))}`);
    run.expect(figures.duplicateExecutions <= fleet.kills * concurrency, `${figures.duplicateExecutions} duplicate executions > kills × concurrency = ${fleet.kills * concurrency}`);
    run.expect(fleet.unexpectedExits.length === 0, `workers exited on their own: ${JSON.stringify(fleet.unexpectedExits.slice(0, 2))}`);
    run.expect(exitCodes.every((code) => code === 0), `workers exited ${JSON.stringify(exitCodes)} on SIGTERM`);
    return run.result({
      workers,
      concurrency,
      leaseSeconds,
      sweepMs,
      producedForMs: producedMs,
      ...coreFigures(figures),
      kills: fleet.kills,
      orphaned: fleet.orphans.length,
      reclaimP50Ms: reclaim.p50,
      reclaimP99Ms: reclaim.p99,
      reclaimMaxMs: reclaim.max,
      reclaimBoundMs: boundMs,
      rescueP99Ms: reclaim.rescueP99,
      reclaimSlackMs: slackMs,
      orphansFailedByRescue: reclaim.failedByRescue,
      alwaysFailingAtMaxAttempts: alwaysFailingWrong.length === 0,
      duplicateExecutionsBound: fleet.kills * concurrency,
      exitCodesOnSigterm: exitCodes,
    });
  } finally {
    await fleet.destroy();
    await run.close();
  }
};
