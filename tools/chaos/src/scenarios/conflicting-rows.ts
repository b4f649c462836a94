import { createWorker, jobStoreOf, openDatabase, syncJobTypes, type JobbyDatabase, type Worker } from '@jobby/core';
import { queryRetrying } from '../audit.js';
import { unexpectedOutcomes } from '../checker.js';
import { chaosRegistry, chaosTypeIds } from '../plugin.js';
import { coreFigures, Run, silentLogger, work, type Scenario } from '../scenario.js';

/**
 * conflicting-rows: hot rows that contradict each other, written behind the store's back: a job
 * with both a queue row and a running row whose lease has expired (a script that put a job back in
 * the queue while the running row of its dead worker stayed behind, or a partial restore). The
 * store never makes one (a claim deletes the queue row in the statement that inserts the running
 * row; a rescue deletes the running row in the statement that inserts the queue row) and there is
 * no constraint between the two tables to refuse it, so it is the malformed row of the v2 store.
 * Around them: good jobs queued behind them, and jobs held by a dead worker (a running row with an
 * expired lease, no queue row) that the lease sweep must rescue.
 *
 * Must hold: every good job succeeds, every dead worker's job is rescued and succeeds, each
 * conflicting job ends in one final state (failed with a clear code, or run once), lost 0.
 *
 * 2026-12-02, store v2 as of 274059c (README, known issue 8): fails. Every claim that reaches a
 * conflicting job fails on job_running_pkey (23505), so the jobs behind it never run; every sweep
 * that reaches it fails on job_queue_pkey (23505), so no expired lease of its batch is rescued.
 */
export const conflictingRows: Scenario = async (options) => {
  const good = options.short ? 100 : 1_000;
  const conflicting = options.short ? 3 : 10;
  const deadWorker = options.short ? 5 : 20;
  const run = await Run.start('conflicting-rows', options);
  let database: JobbyDatabase | undefined;
  let worker: Worker | undefined;
  const workerErrors: string[] = [];
  try {
    await syncJobTypes(jobStoreOf(run.client), chaosRegistry);
    // Conflicting jobs first in claim order (run-at a minute ago); their running rows' leases
    // expired after the dead worker's (the sweep takes the oldest first, and both in one batch).
    const { rows: conflicted } = await queryRetrying<{ id: string; key: string }>(
      run.chaos.pool,
      `with record as (
         insert into ${run.schema}.jobs (type_id, key, input, max_attempts, run_at)
         select $1, 'conflicting-' || g, '{"ms":0}', 3, now() - interval '1 minute' from generate_series(1, $2::int) g returning id, type_id, key, run_at
       ),
       queued as (insert into ${run.schema}.job_queue (job_id, type_id, priority, run_at) select id, type_id, 0, run_at from record),
       running as (
         insert into ${run.schema}.job_running (job_id, type_id, attempt, attempt_token, worker, lease_expires_at)
         select id, type_id, 1, 0, 0, now() - interval '30 seconds' from record
       )
       select id, key from record`,
      [chaosTypeIds.Work, conflicting],
    );
    const { rows: held } = await queryRetrying<{ id: string; key: string }>(
      run.chaos.pool,
      `with record as (
         insert into ${run.schema}.jobs (type_id, key, input, max_attempts)
         select $1, 'dead-worker-' || g, '{"ms":0}', 3 from generate_series(1, $2::int) g returning id, type_id, key
       ),
       running as (
         insert into ${run.schema}.job_running (job_id, type_id, attempt, attempt_token, worker, lease_expires_at)
         select id, type_id, 1, 0, 0, now() - interval '1 minute' from record
       )
       select id, key from record`,
      [chaosTypeIds.Work, deadWorker],
    );
    for (const row of conflicted) run.enqueued.push({ id: String(row.id), key: row.key, kind: 'conflicting', maxAttempts: 3 });
    for (const row of held) run.enqueued.push({ id: String(row.id), key: row.key, kind: 'dead-worker', maxAttempts: 3 });
    await run.submit(Array.from({ length: good }, (_, index) => ({ type: work, key: `good-${index}`, input: { ms: 0 }, kind: 'good', options: { maxAttempts: 3 } })));

    database = await openDatabase({ connectionString: run.connectionString, schema: run.schema, poolSize: 4, applicationName: 'chaos-conflicting' });
    worker = createWorker({ database, registry: chaosRegistry, logger: silentLogger, concurrency: 10, leaseSeconds: 30, sweepIntervalMs: 500, workerId: 'conflicting-0' });
    worker.events.on('worker:error', (event) => workerErrors.push(`${event.during}: ${String((event.error as Error)?.message ?? event.error)}`));
    await worker.start();
    const figures = await run.finish(options.short ? 15_000 : 60_000);
    const goodWrong = await unexpectedOutcomes(run.chaos.pool, run.schema, 'good', 'succeeded');
    const deadWorkerWrong = await unexpectedOutcomes(run.chaos.pool, run.schema, 'dead-worker', 'succeeded');
    run.expect(goodWrong.length === 0, `good jobs that did not succeed (queued behind a conflicting job?): ${JSON.stringify(goodWrong.slice(0, 3))}`);
    run.expect(deadWorkerWrong.length === 0, `dead worker's jobs not rescued and run: ${JSON.stringify(deadWorkerWrong.slice(0, 3))}`);
    const errorCounts: Record<string, number> = {};
    for (const error of workerErrors) errorCounts[error.slice(0, 160)] = (errorCounts[error.slice(0, 160)] ?? 0) + 1;
    return run.result({ good, conflicting, deadWorker, ...coreFigures(figures), workerErrors: errorCounts });
  } finally {
    await worker?.stop({ graceMs: 2_000 }).catch(() => {});
    await database?.close().catch(() => {});
    await run.close();
  }
};
