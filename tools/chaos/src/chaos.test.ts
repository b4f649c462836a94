import { describe, expect, it } from 'vitest';
import { abandonedHandler } from './scenarios/abandoned-handler.js';
import { claimRace } from './scenarios/claim-race.js';
import { conflictingRows } from './scenarios/conflicting-rows.js';
import { fanIn } from './scenarios/fan-in.js';
import { flowControl } from './scenarios/flow-control.js';
import { listenerBlackhole } from './scenarios/listener-blackhole.js';
import { malformedRows } from './scenarios/malformed-rows.js';
import { scheduleRace } from './scenarios/schedule-race.js';
import { sigterm } from './scenarios/sigterm.js';
import { submitRace } from './scenarios/submit-race.js';
import { uniqueRace } from './scenarios/unique-race.js';
import type { ScenarioResult } from './scenario.js';

/**
 * The short versions of the scenarios that need no cluster restart, on real Postgres (JOBBY_TEST_DATABASE_URL / DATABASE_URL,
 * default postgres://postgres@127.0.0.1:5432/test). No timing is asserted here beyond the
 * scenarios' own generous bounds (sigterm: grace + 5 s). The full suite: `npm run chaos`.
 */
const seed = Number(process.env.CHAOS_SEED ?? 20_240_601);

function expectClean(result: ScenarioResult): void {
  expect(result.failures, `seed ${result.seed}: ${JSON.stringify(result)}`).toEqual([]);
  expect(result.ok).toBe(true);
  if ('lost' in result) expect(result.lost).toBe(0);
  if ('doubleCompleted' in result) expect(result.doubleCompleted).toBe(0);
}

describe('chaos scenarios (short)', { timeout: 90_000 }, () => {
  it('claim-race: 8 claimers × 1,000 jobs, each claimed and completed once', async () => {
    const result = await claimRace({ seed, short: true });
    expectClean(result);
    expect(result.claimedTwice).toBe(0);
    expect(result.completed).toBe(1_000);
  });

  it('sigterm: jobs in flight finish within the grace period; exit 0', async () => {
    const result = await sigterm({ seed, short: true });
    expectClean(result);
    expect(result.exitCode).toBe(0);
    expect(result.finishedInGrace).toBe(result.inFlightAtSigterm);
  });

  it('malformed-rows: bad records fail alone with clear codes, or are refused at insert', async () => {
    const result = await malformedRows({ seed, short: true });
    expectClean(result);
    expect(result.outcomes).toEqual({
      'good:succeeded:-:attempt1': 2_000,
      'schema-invalid:failed:PAYLOAD_INVALID:attempt1': 50,
      'oversize:failed:PAYLOAD_TOO_LARGE:attempt1': 50,
    });
    expect(result.refusedAtInsert).toEqual({ 'unknown-type-id:23503': 50, 'null-input:23502': 50, 'bad-key:23514': 50, 'queue-null-run-at:23502': 50 });
  });

  // Known issue 8 (fixed): one job with both a queue row and a running row stopped every claim and
  // every lease rescue that reached it.
  it('conflicting-rows: a job both queued and running fails alone; the jobs behind it and the expired leases beside it still run', async () => {
    const result = await conflictingRows({ seed, short: true });
    expectClean(result);
  });

  it('unique-race: 50 concurrent submitters × 20 keys make exactly 20 jobs', async () => {
    const result = await uniqueRace({ seed, short: true });
    expectClean(result);
    expect(result.jobs).toBe(20);
    expect(result.keysWithoutExactlyOneCreated).toBe(0);
  });

  it('fan-in: joins sharing every parent, completed by 6 workers at once: no deadlock, none early', async () => {
    const result = await fanIn({ seed, short: true });
    expectClean(result);
    expect(result.deadlocks).toBe(0);
    expect(result.earlyJoins).toBe(0);
    expect(result.byKind).toEqual({ join: { succeeded: 48 }, parent: { succeeded: 240 } });
  });

  it('submit-race: 8 submitters × the same 200 keys in shuffled batches: no batch fails, no deadlock, 200 jobs per round', async () => {
    const result = await submitRace({ seed, short: true });
    expectClean(result);
    expect(result.batchesFailed).toBe(0);
    expect(result.deadlocks).toBe(0);
    expect(result.jobsCreated).toBe(result.expectedJobs);
    expect(result.keysWithoutExactlyOneCreated).toBe(0);
  });

  it('listener-blackhole: a silently dropped notification connection is replaced; cancels and pickups work again', async () => {
    const result = await listenerBlackhole({ seed, short: true });
    expectClean(result);
    expect(result.listenersBlackholed).toBe(2);
    expect((result.reconnectMs as number[]).length).toBe(2);
    expect(result.cancelled).toBe(1);
  });

  it('abandoned-handler: handlers that ignore their abort keep their slots; no job runs twice at once', async () => {
    const result = await abandonedHandler({ seed, short: true });
    expectClean(result);
    expect(result.maxHandlersInFlight).toBeLessThanOrEqual(4);
    expect(result.sameJobOverlaps).toBe(0);
    expect(result.abandonedReported).toBe(6);
  });

  it('flow-control: a concurrency limit and a rate limit hold across 3 workers with a kill; pause stops claims within 1 s; resume drains', async () => {
    const result = await flowControl({ seed, short: true });
    expectClean(result);
    expect(result.maxRunningLimited).toBeLessThanOrEqual(3);
    expect(result.maxRatedClaimsPerSecond).toBeLessThanOrEqual(20);
    expect(result.claimsLaterThan1sAfterPause).toBe(0);
    expect(result.queuedWhilePaused).toBeGreaterThan(0);
    // Three worker processes to start: on a loaded 2-core machine that alone can take a minute.
  }, 180_000);

  it('schedule-race: 3 workers, SIGKILLs, a schedule every second: one job per slot, no slot missed', async () => {
    const result = await scheduleRace({ seed, short: true });
    expectClean(result);
    const schedules = result.schedules as Record<string, { slots: number; missed: number; slotsWithTwoJobs: number }>;
    expect(schedules['all']).toMatchObject({ missed: 0, slotsWithTwoJobs: 0 });
    expect(schedules['all']!.slots).toBeGreaterThanOrEqual(4);
    // Three worker processes to start: on a loaded 2-core machine that alone can take a minute.
  }, 180_000);
});
