import { createJobbyClient, createWorker, describeError, openDatabase, type JobbyDatabase, type JobTypeKey, type SubmitResult, type Worker } from '@jobby/core';
import { queryRetrying } from '../audit.js';
import { percentile } from '../checker.js';
import { chaosRegistry } from '../plugin.js';
import { coreFigures, Run, silentLogger, work, type Scenario } from '../scenario.js';
import { deadlockCount } from './deadlocks.js';

/**
 * submit-race: 8 submitters (each a client with its own connection pool, as separate processes
 * would be) submit the same 200 keys at once, each as 4 batches of 50 in its own shuffled order,
 * all 32 batches in flight together; a quarter of the batches carry a dependency on a parent job
 * (the transactional enqueue path). Repeated for several rounds with fresh keys. Then 2 workers
 * run every job and the checker counts lost and double completions.
 *
 * Must hold: no batch fails (the client retries a transient error of a submission on its own pool;
 * a deadlock should not even happen, since every enqueue takes its key locks in one order), exactly
 * 200 jobs per round, exactly one submission per key says `created`, every submission of a key gets
 * the same id, no deadlock in the database (`pg_stat_database.deadlocks`).
 *
 * Before the fix of issue 16 (key locks taken in the caller's order, raw 40P01 to the caller),
 * 27–28 of 32 batches failed with `deadlock detected` and only 138–156 of 200 jobs were created.
 */
export const submitRace: Scenario = async (options) => {
  const submitters = 8;
  const keys = 200;
  const batchesPerSubmitter = 4;
  const rounds = options.short ? 2 : 10;
  const run = await Run.start('submit-race', options, 10);
  const databases: JobbyDatabase[] = [];
  const workers: Worker[] = [];
  try {
    const clients = [];
    for (let index = 0; index < submitters; index++) {
      const database = await openDatabase({ connectionString: run.connectionString, schema: run.schema, poolSize: batchesPerSubmitter, applicationName: 'chaos-submitter' });
      databases.push(database);
      clients.push(createJobbyClient({ database, registry: chaosRegistry }));
    }
    const deadlocksBefore = await deadlockCount(run.chaos.pool);
    let batches = 0;
    let batchesFailed = 0;
    let createdWrong = 0;
    let idMismatches = 0;
    let roundsWithWrongCount = 0;
    const jobsPerRound: number[] = [];
    const batchMs: number[] = [];
    const errors = new Map<string, number>();
    for (let round = 0; round < rounds; round++) {
      const prefix = `r${round}`;
      const parentKey = `${prefix}-parent`;
      await run.submit([{ type: work, key: parentKey, input: { ms: 0 }, kind: 'parent' }]);
      const outcomes = new Map<string, SubmitResult[]>();
      await Promise.all(
        clients.map(async (client) => {
          const order = run.random.shuffle(Array.from({ length: keys }, (_, index) => index));
          await Promise.all(
            Array.from({ length: batchesPerSubmitter }, async (_, batch) => {
              const withDependency = run.random.chance(0.25);
              const slice = order.slice(batch * (keys / batchesPerSubmitter), (batch + 1) * (keys / batchesPerSubmitter));
              const jobs = slice.map((index) => ({
                type: work as JobTypeKey,
                key: `${prefix}-key-${index}`,
                input: { ms: 0 },
                options: withDependency ? { dependsOn: [{ type: work as JobTypeKey, key: parentKey }] } : {},
              }));
              batches++;
              const started = performance.now();
              try {
                const results = await client.submitMany(jobs);
                results.forEach((result, position) => {
                  if (result.key !== jobs[position]!.key) idMismatches++;
                  (outcomes.get(result.key) ?? outcomes.set(result.key, []).get(result.key)!).push(result);
                });
              } catch (error) {
                batchesFailed++;
                const message = describeError(error).slice(0, 120);
                errors.set(message, (errors.get(message) ?? 0) + 1);
              } finally {
                batchMs.push(Math.round(performance.now() - started));
              }
            }),
          );
        }),
      );
      const { rows } = await queryRetrying<{ n: string }>(run.chaos.pool, `select count(*) as n from ${run.schema}.jobs where key like $1`, [`${prefix}-key-%`]);
      const jobs = Number(rows[0]!.n);
      jobsPerRound.push(jobs);
      if (jobs !== keys) roundsWithWrongCount++;
      for (const [key, results] of outcomes) {
        if (results.filter((result) => result.created).length !== 1) createdWrong++;
        if (new Set(results.map((result) => result.id)).size !== 1) idMismatches++;
        run.enqueued.push({ id: results[0]!.id, key, kind: 'raced', maxAttempts: 25 });
      }
    }
    // Counted before the workers start: only the submissions' deadlocks. Statistics reach
    // pg_stat_database when a backend reports them (at most a second after its transaction).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const deadlocks = (await deadlockCount(run.chaos.pool)) - deadlocksBefore;

    for (let index = 0; index < 2; index++) {
      workers.push(createWorker({ database: databases[index]!, registry: chaosRegistry, logger: silentLogger, concurrency: 20, leaseSeconds: 60, sweepIntervalMs: 1_000, workerId: `submit-race-${index}` }));
    }
    await Promise.all(workers.map((worker) => worker.start()));
    const figures = await run.finish(options.short ? 60_000 : 180_000);

    run.expect(batchesFailed === 0, `${batchesFailed} of ${batches} batches failed: ${JSON.stringify(Object.fromEntries(errors))}`);
    run.expect(roundsWithWrongCount === 0, `${roundsWithWrongCount} of ${rounds} rounds did not end with exactly ${keys} jobs: ${jobsPerRound.join(', ')}`);
    run.expect(createdWrong === 0, `${createdWrong} keys had not exactly one created submission`);
    run.expect(idMismatches === 0, `${idMismatches} keys returned different ids (or results out of the caller's order)`);
    run.expect(deadlocks === 0, `${deadlocks} deadlocks in the database during the submissions`);
    run.expect(figures.completed === rounds * (keys + 1), `${figures.completed} of ${rounds * (keys + 1)} jobs completed`);
    return run.result({
      submitters,
      keys,
      batchesPerSubmitter,
      rounds,
      batches,
      batchesFailed,
      jobsCreated: jobsPerRound.reduce((sum, jobs) => sum + jobs, 0),
      expectedJobs: rounds * keys,
      jobsPerRound,
      keysWithoutExactlyOneCreated: createdWrong,
      keysWithDifferentIds: idMismatches,
      deadlocks,
      batchMsP50: percentile(batchMs, 50),
      batchMsMax: batchMs.length ? Math.max(...batchMs) : null,
      errors: Object.fromEntries(errors),
      ...coreFigures(figures),
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.stop({ graceMs: 5_000 }).catch(() => {})));
    await Promise.all(databases.map((database) => database.close().catch(() => {})));
    await run.close();
  }
};
