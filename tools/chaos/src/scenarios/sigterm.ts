import { queryRetrying } from '../audit.js';
import { spawnWorker, until, killAll, type WorkerProcess } from '../harness.js';
import { coreFigures, Run, work, type Scenario } from '../scenario.js';

/**
 * sigterm: a worker process runs jobs of 0.5–2 s; SIGTERM arrives while they are in flight. Every
 * job that had started finishes (succeeded, first attempt) within the grace period, the process
 * exits 0, the jobs it had not started are handed back, and a second worker drains them.
 */
export const sigterm: Scenario = async (options) => {
  const concurrency = 8;
  const graceMs = 8_000;
  const total = options.short ? 24 : 80;
  const run = await Run.start('sigterm', options);
  const processes: WorkerProcess[] = [];
  try {
    await run.submit(Array.from({ length: total }, (_, index) => ({ type: work, key: `job-${index}`, input: { ms: run.random.int(500, 2_000) }, kind: 'work', options: { maxAttempts: 1 } })));
    const first = spawnWorker({ connectionString: run.connectionString, schema: run.schema, concurrency, graceMs, leaseSeconds: 30 });
    processes.push(first);
    await first.ready;
    const executions = async () => Number((await queryRetrying<{ n: string }>(run.chaos.pool, `select count(*) as n from ${run.schema}.chaos_executions`)).rows[0]!.n);
    // Wait for a full set of handlers in flight, plus a random extra moment so that they are at different points.
    await until('jobs in flight', async () => (await executions()) >= concurrency, 30_000);
    await new Promise((resolve) => setTimeout(resolve, run.random.int(0, 400)));
    const { rows: inFlight } = await queryRetrying<{ job_id: string }>(
      run.chaos.pool,
      `select x.job_id from ${run.schema}.chaos_executions x join ${run.schema}.job_running r on r.job_id = x.job_id`,
    );
    const signalledAt = Date.now();
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    const exitMs = Date.now() - signalledAt;
    const { rows: afterStop } = await queryRetrying<{ id: string; state: string; attempts: number }>(
      run.chaos.pool,
      `select id, state, attempts from ${run.schema}.chaos_jobs where id = any($1::bigint[])`,
      [inFlight.map((row) => row.job_id)],
    );
    const finishedInGrace = afterStop.filter((row) => row.state === 'succeeded' && row.attempts === 1).length;
    const { rows: leftover } = await queryRetrying<{ running: string; queued: string; handed_back: string }>(
      run.chaos.pool,
      `select (select count(*) from ${run.schema}.job_running) as running,
              (select count(*) from ${run.schema}.job_queue where pending_dependencies = 0) as queued,
              (select count(*) from ${run.schema}.job_outcomes where outcome = 'handed_back') as handed_back`,
    );
    run.expect(exit.code === 0 && exit.signal === null, `worker exited ${exit.code ?? exit.signal} on SIGTERM, not 0`);
    run.expect(exitMs <= graceMs + 5_000, `worker took ${exitMs} ms to exit (grace ${graceMs} ms + 5 s slack)`);
    run.expect(finishedInGrace === inFlight.length, `${inFlight.length - finishedInGrace} of ${inFlight.length} jobs in flight did not finish in the grace period`);
    run.expect(Number(leftover[0]!.running) === 0, `${leftover[0]!.running} jobs still running after the worker exited`);
    // A second worker drains the rest.
    const second = spawnWorker({ connectionString: run.connectionString, schema: run.schema, concurrency: 20, graceMs, leaseSeconds: 30 });
    processes.push(second);
    await second.ready;
    const figures = await run.finish(60_000);
    second.child.kill('SIGTERM');
    const secondExit = await second.exited;
    run.expect(figures.completed === total, `${figures.completed} of ${total} completed`);
    run.expect(secondExit.code === 0, `second worker exited ${secondExit.code ?? secondExit.signal}`);
    return run.result({
      jobs: total,
      concurrency,
      graceMs,
      inFlightAtSigterm: inFlight.length,
      finishedInGrace,
      exitCode: exit.code,
      exitMs,
      queuedAfterExit: Number(leftover[0]!.queued),
      handedBack: Number(leftover[0]!.handed_back),
      ...coreFigures(figures),
    });
  } finally {
    await killAll(processes);
    await run.close();
  }
};
