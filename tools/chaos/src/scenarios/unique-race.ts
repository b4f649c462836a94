import { queryRetrying } from '../audit.js';
import { Run, work, type Scenario } from '../scenario.js';

/**
 * unique-race: 50 concurrent submitters × 20 keys, in a random order per submitter; some submit
 * with a dependency (the transactional enqueue path), some without. Exactly 20 jobs must exist,
 * exactly one submission per key says `created`, and every submission of a key gets the same id.
 */
export const uniqueRace: Scenario = async (options) => {
  const submitters = 50;
  const keys = 20;
  const rounds = options.short ? 1 : 5;
  const run = await Run.start('unique-race', options, submitters + 2);
  try {
    let wrongCounts = 0;
    let createdWrong = 0;
    let idMismatches = 0;
    let errors = 0;
    let submissions = 0;
    for (let round = 0; round < rounds; round++) {
      const prefix = `r${round}`;
      await run.submit([{ type: work, key: `${prefix}-parent`, input: { ms: 0 }, kind: 'parent' }]);
      const plans = Array.from({ length: submitters }, () => run.random.shuffle(Array.from({ length: keys }, (_, index) => index)));
      const outcomes = new Map<string, { id: string; created: boolean }[]>();
      await Promise.all(
        plans.map(async (order) => {
          for (const index of order) {
            const key = `${prefix}-key-${index}`;
            const withDependency = run.random.chance(0.3);
            submissions++;
            try {
              const [result] = await run.client.submitMany([
                { type: work, key, input: { ms: 0 }, options: withDependency ? { dependsOn: [{ type: work, key: `${prefix}-parent` }] } : {} },
              ]);
              (outcomes.get(key) ?? outcomes.set(key, []).get(key)!).push({ id: result!.id, created: result!.created });
            } catch (error) {
              errors++;
              run.failures.push(`submit ${key} threw: ${(error as Error).message}`);
            }
          }
        }),
      );
      const { rows } = await queryRetrying<{ n: string }>(run.chaos.pool, `select count(*) as n from ${run.schema}.jobs where key like $1`, [`${prefix}-key-%`]);
      if (Number(rows[0]!.n) !== keys) wrongCounts++;
      for (const [key, results] of outcomes) {
        if (results.filter((result) => result.created).length !== 1) createdWrong++;
        if (new Set(results.map((result) => result.id)).size !== 1) idMismatches++;
        run.enqueued.push({ id: results[0]!.id, key, kind: 'raced', maxAttempts: 25 });
      }
    }
    run.expect(wrongCounts === 0, `${wrongCounts} rounds did not end with exactly ${keys} jobs`);
    run.expect(createdWrong === 0, `${createdWrong} keys had not exactly one created submission`);
    run.expect(idMismatches === 0, `${idMismatches} keys returned different ids`);
    const { rows } = await queryRetrying<{ n: string }>(run.chaos.pool, `select count(*) as n from ${run.schema}.jobs where key like '%-key-%'`);
    return run.result({
      submitters,
      keys,
      rounds,
      submissions,
      jobs: Number(rows[0]!.n),
      expectedJobs: keys * rounds,
      roundsWithWrongCount: wrongCounts,
      keysWithoutExactlyOneCreated: createdWrong,
      keysWithDifferentIds: idMismatches,
      errors,
    });
  } finally {
    await run.close();
  }
};
