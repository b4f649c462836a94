import { createWorker, openDatabase, type JobbyDatabase, type Worker } from '@jobby/core';
import { queryRetrying } from '../audit.js';
import { unexpectedOutcomes } from '../checker.js';
import { chaosRegistry } from '../plugin.js';
import { coreFigures, join, Run, silentLogger, work, type Scenario } from '../scenario.js';
import { sleep } from '../harness.js';
import { deadlockCount } from './deadlocks.js';

/**
 * fan-in: wide workflows whose joins share every parent, completed by 6 workers at once while more
 * joins are submitted onto the same parents. Every completion batch decrements joins that other
 * batches decrement too, and every submission locks parents that completions are updating: the
 * lock orders (dependents in id order at completion, dependencies in id order at enqueue) are what
 * keeps this from deadlocking. Checks: no deadlock in the database during the run
 * (`pg_stat_database.deadlocks`), every join succeeded having seen all its parents' outputs, and
 * none started before its last parent finished.
 */
export const fanIn: Scenario = async (options) => {
  const groups = options.short ? 4 : 12;
  const parentsPerGroup = options.short ? 60 : 150;
  const joinsPerGroup = options.short ? 12 : 30;
  const workerCount = 6;
  const run = await Run.start('fan-in', options, 10);
  const databases: JobbyDatabase[] = [];
  const workers: Worker[] = [];
  try {
    const deadlocksBefore = await deadlockCount(run.chaos.pool);
    for (let index = 0; index < workerCount; index++) {
      const database = await openDatabase({ connectionString: run.connectionString, schema: run.schema, poolSize: 3, applicationName: 'chaos-fan-in' });
      databases.push(database);
      workers.push(createWorker({ database, registry: chaosRegistry, logger: silentLogger, concurrency: 10, prefetch: run.random.int(0, 30), leaseSeconds: 120, sweepIntervalMs: 1_000, workerId: `fan-in-${index}` }));
    }
    await Promise.all(workers.map((worker) => worker.start()));

    // Each group in one submission (parents and joins together), the groups one after another
    // while the workers complete the earlier ones: completion batches of different workers
    // decrement the same joins at once, and submissions lock parents that completions update.
    for (let group = 0; group < groups; group++) {
      const parentKeys = Array.from({ length: parentsPerGroup }, (_, index) => `g${group}-p${index}`);
      const dependsOn = parentKeys.map((key) => ({ type: work, key }));
      await run.submit(
        [
          ...parentKeys.map((key) => ({ type: work, key, input: { ms: run.random.int(0, 3) }, kind: 'parent', options: { maxAttempts: 5 } })),
          ...Array.from({ length: joinsPerGroup }, (_, index) => ({
            type: join,
            key: `g${group}-j${index}`,
            input: { parents: parentsPerGroup },
            kind: 'join',
            options: { maxAttempts: 5, dependsOn },
          })),
        ],
        30_000,
      );
      await sleep(run.random.int(0, 20));
    }

    const figures = await run.finish(options.short ? 60_000 : 180_000);
    // Deadlock counts reach pg_stat_database when a backend reports its statistics (at most a
    // second after its transaction).
    await sleep(1_500);
    const deadlocksDuring = (await deadlockCount(run.chaos.pool)) - deadlocksBefore;
    run.expect(deadlocksDuring === 0, `${deadlocksDuring} deadlocks in the database during the run`);
    const badJoins = await unexpectedOutcomes(run.chaos.pool, run.schema, 'join', 'succeeded');
    run.expect(badJoins.length === 0, `joins not succeeded: ${JSON.stringify(badJoins)}`);
    const { rows } = await queryRetrying<{ early: string }>(
      run.chaos.pool,
      `select count(*) as early
       from ${run.schema}.chaos_enqueued e
       join ${run.schema}.chaos_executions x on x.job_id = e.job_id
       where e.kind = 'join'
         and x.at < (select max(c.at) from ${run.schema}.job_dependencies d
                     join ${run.schema}.chaos_completions c on c.job_id = d.depends_on_id
                     where d.job_id = e.job_id)`,
    );
    const early = Number(rows[0]!.early);
    run.expect(early === 0, `${early} join executions started before their last parent finished`);
    return run.result({
      groups,
      parents: groups * parentsPerGroup,
      joins: groups * joinsPerGroup,
      edges: groups * parentsPerGroup * joinsPerGroup,
      ...coreFigures(figures),
      deadlocks: deadlocksDuring,
      earlyJoins: early,
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.stop({ graceMs: 5_000 }).catch(() => {})));
    await Promise.all(databases.map((database) => database.close().catch(() => {})));
    await run.close();
  }
};
