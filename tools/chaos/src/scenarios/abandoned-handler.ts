import { createWorker, openDatabase, type JobbyDatabase, type Worker } from '@jobby/core';
import { unexpectedOutcomes } from '../checker.js';
import { until, sleep } from '../harness.js';
import { chaosRegistry, workHandlerStats } from '../plugin.js';
import { coreFigures, Run, silentLogger, work, type Scenario } from '../scenario.js';

/**
 * abandoned-handler: one worker (concurrency 4, attempts time out after 1 s) runs quick jobs among
 * jobs whose handlers ignore their AbortSignal: `stuck` ones sleep 2.5–3 s on their first attempt
 * (timed out at 1 s, retried while that first handler still runs in the same process), and
 * `cancelled` ones are cancelled while they run (and run on). The plugin counts, in this process,
 * handler bodies in flight (a body ends when its promise settles) and runs of one job that
 * overlapped.
 *
 * Must hold: never more handlers in flight than the concurrency (a slot is free only when its
 * handler has settled); no job runs twice at once; every stuck first attempt and every cancelled
 * handler is reported abandoned, and reported settled; every stuck job succeeds at attempt 2,
 * every cancelled one ends cancelled; lost 0, doubleCompleted 0. (A cancel followed by a retry,
 * which also re-runs a job, is covered by core's worker-abandoned test: a retried job reaches a
 * final state twice, which this checker counts as a fault.)
 *
 * Before the fix of issue 16, a timed-out or cancelled handler's slot was freed at once: more
 * handlers ran than the concurrency, and retries ran beside their first attempt.
 */
export const abandonedHandler: Scenario = async (options) => {
  const concurrency = 4;
  const timeoutMs = 1_000;
  const counts = options.short ? { stuck: 4, cancelled: 2, quick: 20 } : { stuck: 24, cancelled: 8, quick: 120 };
  const run = await Run.start('abandoned-handler', options);
  const saved = { timeout: process.env.CHAOS_WORK_TIMEOUT_MS, poll: process.env.CHAOS_POLL_MS };
  process.env.CHAOS_WORK_TIMEOUT_MS = String(timeoutMs);
  process.env.CHAOS_POLL_MS = '500';
  workHandlerStats.reset();
  let database: JobbyDatabase | undefined;
  let worker: Worker | undefined;
  try {
    database = await openDatabase({ connectionString: run.connectionString, schema: run.schema, poolSize: 4, applicationName: 'chaos-abandoned' });
    worker = createWorker({ database, registry: chaosRegistry, logger: silentLogger, concurrency, leaseSeconds: 30, sweepIntervalMs: 1_000, workerId: 'abandoned-0' });
    const abandoned: string[] = [];
    const settled: string[] = [];
    let maxAbandoned = 0;
    worker.events.on('job:abandoned', (event) => {
      abandoned.push(`${event.key}:${event.attempt}:${event.cause}`);
      maxAbandoned = Math.max(maxAbandoned, worker!.abandonedCount);
    });
    worker.events.on('job:abandoned-settled', (event) => settled.push(`${event.key}:${event.attempt}:${event.cause}`));
    await worker.start();

    // Stuck and quick jobs interleaved, so that slots are always wanted.
    const plan = run.random.shuffle([
      ...Array.from({ length: counts.stuck }, (_, index) => ({ kind: 'stuck', key: `stuck-${index}` })),
      ...Array.from({ length: counts.quick }, (_, index) => ({ kind: 'quick', key: `quick-${index}` })),
    ]);
    for (let start = 0; start < plan.length; start += 8) {
      await run.submit(
        plan.slice(start, start + 8).map(({ kind, key }) => ({
          type: work,
          key,
          kind,
          input: kind === 'stuck' ? { ms: 20, stuckMs: run.random.int(2_500, 3_000), stuckAttempts: 1 } : { ms: run.random.int(20, 80) },
          options: { maxAttempts: 3 },
        })),
      );
      await sleep(run.random.int(50, 150));
    }
    for (let index = 0; index < counts.cancelled; index++) {
      const key = `cancelled-${index}`;
      await run.submit([{ type: work, key, kind: 'cancelled', input: { ms: 20, stuckMs: 2_500, stuckAttempts: 1 }, options: { maxAttempts: 1 } }]);
      const id = run.enqueued.at(-1)!.id;
      await until(`${key} to run`, async () => (await run.client.getById(id))?.state === 'running', 60_000, 20);
      run.expect(await run.client.cancel(work, key), `${key} was not cancelled while running`);
    }

    const figures = await run.finish(options.short ? 60_000 : 180_000);
    await until('abandoned handlers to settle', async () => worker!.abandonedCount === 0 && workHandlerStats.inFlight === 0, 10_000).catch(() => {});
    const stuckWrong = await unexpectedOutcomes(run.chaos.pool, run.schema, 'stuck', 'succeeded', 'j.attempts = 2');
    const cancelledWrong = await unexpectedOutcomes(run.chaos.pool, run.schema, 'cancelled', 'cancelled');
    const expectedAbandoned = counts.stuck + counts.cancelled;
    run.expect(workHandlerStats.maxInFlight <= concurrency, `${workHandlerStats.maxInFlight} handlers ran at once at concurrency ${concurrency}`);
    run.expect(workHandlerStats.sameJobOverlaps === 0, `${workHandlerStats.sameJobOverlaps} runs started while another run of the same job was still going`);
    run.expect(abandoned.length === expectedAbandoned, `${abandoned.length} handlers reported abandoned, expected ${expectedAbandoned}`);
    run.expect(settled.length === abandoned.length, `${settled.length} of ${abandoned.length} abandoned handlers reported settled`);
    run.expect(worker.abandonedCount === 0, `${worker.abandonedCount} handlers still counted abandoned at the end`);
    run.expect(stuckWrong.length === 0, `stuck jobs not succeeded at attempt 2: ${JSON.stringify(stuckWrong)}`);
    run.expect(cancelledWrong.length === 0, `cancelled jobs not cancelled: ${JSON.stringify(cancelledWrong)}`);
    return run.result({
      concurrency,
      timeoutMs,
      jobs: counts,
      maxHandlersInFlight: workHandlerStats.maxInFlight,
      sameJobOverlaps: workHandlerStats.sameJobOverlaps,
      abandonedReported: abandoned.length,
      abandonedSettled: settled.length,
      maxAbandonedAtOnce: maxAbandoned,
      ...coreFigures(figures),
    });
  } finally {
    for (const [name, value] of [['CHAOS_WORK_TIMEOUT_MS', saved.timeout], ['CHAOS_POLL_MS', saved.poll]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await worker?.stop({ graceMs: 2_000 }).catch(() => {});
    await database?.close({ timeoutMs: 2_000 }).catch(() => {});
    await run.close();
  }
};
