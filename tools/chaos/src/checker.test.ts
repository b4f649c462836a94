import { jobStoreOf, syncJobTypes } from '@jobby/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check, recordEnqueued } from './checker.js';
import { chaosRegistry, chaosTypeIds } from './plugin.js';
import { Run, work } from './scenario.js';

/**
 * The checker catches what it is there to catch: faults written by hand into the v2 tables (a
 * second final outcome, a job queued and running at once, a record with no state) must show in
 * its figures, and an admin reset between two final outcomes must not.
 */
describe('checker on hand-made faults', { timeout: 60_000 }, () => {
  let run: Run;
  const ids: Record<string, string> = {};
  const outcome = (id: string, kind: 'succeeded' | 'failed' | 'cancelled', attempt = 1) =>
    run.chaos.pool.query(
      `insert into ${run.schema}.job_outcomes (job_id, attempt, type_id, outcome, final) values ($1, $2, $3, $4, true)`,
      [id, attempt, chaosTypeIds.Work, kind],
    );

  beforeAll(async () => {
    run = await Run.start('checker', { seed: 1 });
    await syncJobTypes(jobStoreOf(run.client), chaosRegistry);
    await run.submit(['clean', 'twice', 'succeeded-then-cancelled', 'reset', 'both', 'stateless'].map((key) => ({ type: work, key, input: { ms: 0 }, kind: key })));
    for (const job of run.enqueued) ids[job.key] = job.id;
    const s = run.schema;
    // Every job leaves the queue as if it had been claimed and finished, by hand.
    await run.chaos.pool.query(`delete from ${s}.job_queue`);
    await outcome(ids.clean!, 'succeeded');
    await outcome(ids.twice!, 'succeeded');
    await outcome(ids.twice!, 'succeeded', 2);
    await outcome(ids['succeeded-then-cancelled']!, 'succeeded');
    await outcome(ids['succeeded-then-cancelled']!, 'cancelled');
    // A person's retry between two outcomes: the store's reset, then a second success.
    await outcome(ids.reset!, 'failed');
    await run.chaos.pool.query(`select ${s}.job_reset(array[$1::bigint], 'chaos_checker_test')`, [ids.reset]);
    await run.chaos.pool.query(`delete from ${s}.job_queue where job_id = $1`, [ids.reset]);
    await outcome(ids.reset!, 'succeeded');
    // Queued and running at once.
    await run.chaos.pool.query(`insert into ${s}.job_queue (job_id, type_id, priority, run_at) values ($1, $2, 0, now())`, [ids.both, chaosTypeIds.Work]);
    await run.chaos.pool.query(
      `insert into ${s}.job_running (job_id, type_id, attempt, attempt_token, worker, lease_expires_at) values ($1, $2, 1, 1, 0, now())`,
      [ids.both, chaosTypeIds.Work],
    );
    // 'stateless': no queue row, no running row, no outcome.
    await recordEnqueued(run.chaos.pool, s, run.enqueued);
  });

  afterAll(async () => {
    await run?.close();
  });

  it('counts double successes and double finals between resets, not across a reset', async () => {
    const figures = await check(run.chaos.pool, run.schema);
    expect(figures.doubleCompleted).toBe(1);
    expect(figures.doubleFinalized).toBe(2);
    expect(figures.byKind.reset).toEqual({ succeeded: 1 });
  });

  it('counts contradictory rows and jobs without a state, and they are lost', async () => {
    const figures = await check(run.chaos.pool, run.schema);
    expect(figures.inconsistent).toBe(2);
    expect(figures.byKind.both).toEqual({ inconsistent: 1 });
    expect(figures.byKind.stateless).toEqual({ stateless: 1 });
    expect(figures.lost).toBe(2);
    expect(figures.snapshotMismatches).toBe(0);
  });
});
