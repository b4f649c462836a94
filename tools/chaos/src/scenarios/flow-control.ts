import type { JobTypeKey } from '@jobby/core';
import { queryRetrying } from '../audit.js';
import { Fleet } from '../fleet.js';
import { sleep } from '../harness.js';
import { chaosTypeIds } from '../plugin.js';
import { coreFigures, Run, work, type Scenario } from '../scenario.js';

const limited = 'chaos.Limited' as JobTypeKey;
const rated = 'chaos.Rated' as JobTypeKey;

/**
 * flow-control (issue 19): 3 worker processes × 10 slots; `chaos.Limited` limited to 3 running
 * across the cluster, `chaos.Rated` to 20 starts per second, `chaos.Work` unlimited; a random worker
 * SIGKILLed and restarted every 2–5 s while the load runs. Then `chaos.Work` is paused while jobs
 * of it keep coming, and resumed.
 *
 * Every figure comes from the audit tables, not from the workers' counters:
 * - the most `chaos.Limited` attempts running at once: each attempt runs from its claim
 *   (`chaos_claims`) to its outcome (`job_outcomes.finished_at`, the completion's or the lease
 *   rescue's); must be ≤ 3;
 * - the most `chaos.Rated` claims in any 1 s window (by the claims' own time, `claimed_at`); ≤ 20;
 * - claims of `chaos.Work` later than 1 s after its pause committed: 0;
 * - after the resume, every job drains (lost 0), and a killed worker's slots of the limited type
 *   come back within lease + sweep: claims of it never stop for longer while one of its jobs waits.
 * Re-claim latencies are reported, not bounded: an orphan of a limited type queues behind its backlog.
 */
export const flowControl: Scenario = async (options) => {
  const workers = 3;
  const concurrency = 10;
  const leaseSeconds = 3;
  const sweepMs = 1_000;
  const slackMs = 1_500;
  const limit = 3;
  const rate = { limit: 20, intervalMs: 1_000 };
  const durationS = options.durationS ?? (options.short ? 8 : 60);
  const pauseMs = options.short ? 2_500 : 5_000;
  const run = await Run.start('flow-control', options);
  const fleet = new Fleet(run, { concurrency, leaseSeconds, sweepMs, graceMs: 5_000 }, true);
  try {
    await run.client.setTypeControls(limited, { concurrency: limit });
    await run.client.setTypeControls(rated, { rate });
    await fleet.start(workers);
    run.log(`${workers} workers ready; load for ${durationS} s with kills`);
    const until = Date.now() + durationS * 1000;
    let sequence = 0;
    // The last kill comes lease + sweep + slack before the pause, so that no job of the paused
    // type is a killed worker's orphan still waiting for its rescue when the pause begins.
    const killsEnd = until - (leaseSeconds * 1000 + sweepMs + slackMs);
    const killer = (async () => {
      while (Date.now() < killsEnd) {
        await sleep(options.short ? run.random.int(1_500, 2_500) : run.random.int(2_000, 5_000));
        if (Date.now() >= killsEnd) break;
        await fleet.kill(run.random.int(0, workers - 1));
      }
    })();
    // Per second: 10 limited jobs (50–250 ms: ~20/s fit through 3 slots), 25 rated (more than
    // 20/s: a backlog builds, the limit binds), 30 unlimited.
    while (Date.now() < until) {
      const tickStart = Date.now();
      const batch: Parameters<Run['submit']>[0] = [];
      for (let index = 0; index < 1; index++) batch.push({ type: limited, key: `l${sequence++}`, input: { ms: run.random.int(50, 250) }, kind: 'limited', options: { maxAttempts: 10 } });
      for (let index = 0; index < 3; index++) batch.push({ type: rated, key: `r${sequence++}`, input: { ms: run.random.int(0, 30) }, kind: 'rated', options: { maxAttempts: 10 } });
      for (let index = 0; index < 3; index++) batch.push({ type: work, key: `w${sequence++}`, input: { ms: run.random.int(0, 30) }, kind: 'work', options: { maxAttempts: 10 } });
      await run.submit(batch, 30_000);
      await sleep(Math.max(0, 100 - (Date.now() - tickStart)));
    }
    await killer;

    // Pause chaos.Work while its jobs keep coming; no claim of it may start more than 1 s later.
    const pausedAt = (await queryRetrying<{ now: Date }>(run.chaos.pool, 'select clock_timestamp() as now')).rows[0]!.now;
    await run.client.setTypeControls(work, { paused: true });
    const pauseEnds = Date.now() + pauseMs;
    while (Date.now() < pauseEnds) {
      await run.submit([{ type: work, key: `p${sequence++}`, input: { ms: 0 }, kind: 'work', options: { maxAttempts: 10 } }], 30_000);
      await sleep(100);
    }
    const { rows: paused } = await queryRetrying<{ late: string; queued: string }>(
      run.chaos.pool,
      `select (select count(*) from ${run.schema}.chaos_claims c join ${run.schema}.jobs j on j.id = c.job_id
               where j.type_id = $1 and c.at > $2::timestamptz + interval '1 second') as late,
              (select count(*) from ${run.schema}.job_queue q where q.type_id = $1) as queued`,
      [chaosTypeIds.Work, pausedAt],
    );
    const resumedAt = (await queryRetrying<{ now: Date }>(run.chaos.pool, 'select clock_timestamp() as now')).rows[0]!.now;
    await run.client.setTypeControls(work, { paused: false });
    run.log(`produced ${run.enqueued.length} jobs, ${fleet.kills} kills; resumed; draining`);
    const figures = await run.finish(120_000);
    const reclaim = await fleet.reclaims();
    const exitCodes = await fleet.stop();

    const { rows: limits } = await queryRetrying<{ max_running: number | null; max_rate: number | null; resume_claim_ms: number | null; max_limited_gap_ms: number | null }>(
      run.chaos.pool,
      `with attempts as (
         select c.job_id, c.attempt, c.at as started,
                (select min(o.finished_at) from ${run.schema}.job_outcomes o where o.job_id = c.job_id and o.attempt = c.attempt) as ended
         from ${run.schema}.chaos_claims c join ${run.schema}.jobs j on j.id = c.job_id where j.type_id = $1
       ),
       limited_claims as (
         select c.at, lag(c.at) over (order by c.at) as previous from ${run.schema}.chaos_claims c
         join ${run.schema}.jobs j on j.id = c.job_id where j.type_id = $1 and c.at < $5::timestamptz
       ),
       rated_claims as (
         select c.claimed_at from ${run.schema}.chaos_claims c join ${run.schema}.jobs j on j.id = c.job_id where j.type_id = $2
       )
       select (select max((select count(*) from attempts b where b.started <= a.started and coalesce(b.ended, 'infinity') > a.started))::int
               from attempts a) as max_running,
              (select max((select count(*) from rated_claims b where b.claimed_at >= a.claimed_at and b.claimed_at < a.claimed_at + interval '1 second'))::int
               from rated_claims a) as max_rate,
              (select extract(epoch from min(c.at) - $4::timestamptz) * 1000 from ${run.schema}.chaos_claims c
               join ${run.schema}.jobs j on j.id = c.job_id where j.type_id = $3 and c.at > $4::timestamptz)::float8 as resume_claim_ms,
              -- Only gaps while a limited job waited through them (queued before the gap began,
              -- claimed first after it ended: a stalled producer is not a stuck limit) and a worker
              -- ran through them (registered before, heartbeat after: when every worker is down,
              -- restarting after kills, nothing runs at all).
              (select extract(epoch from max(l.at - l.previous)) * 1000 from limited_claims l
               where exists (select 1 from ${run.schema}.workers k where k.started_at <= l.previous and k.last_heartbeat_at >= l.at)
                 and exists (select 1 from ${run.schema}.jobs w
                             where w.type_id = $1 and w.created_at <= l.previous
                               and (select min(c.at) from ${run.schema}.chaos_claims c where c.job_id = w.id) >= l.at))::float8 as max_limited_gap_ms`,
      [chaosTypeIds.Limited, chaosTypeIds.Rated, chaosTypeIds.Work, resumedAt, pausedAt],
    );
    const { max_running: maxRunning, max_rate: maxRate, resume_claim_ms: resumeClaimMs, max_limited_gap_ms: maxLimitedGapMs } = limits[0]!;
    const lateClaims = Number(paused[0]!.late);
    const boundMs = leaseSeconds * 1000 + sweepMs;
    run.expect(maxRunning !== null && maxRunning <= limit, `${maxRunning} chaos.Limited attempts ran at once (limit ${limit})`);
    run.expect(maxRate !== null && maxRate <= rate.limit, `${maxRate} chaos.Rated claims within 1 s (limit ${rate.limit})`);
    run.expect(lateClaims === 0, `${lateClaims} chaos.Work claims more than 1 s after its pause`);
    run.expect(Number(paused[0]!.queued) > 0, 'no chaos.Work job waited during the pause (nothing was tested)');
    run.expect(resumeClaimMs !== null && resumeClaimMs < 1_000, `the first chaos.Work claim came ${resumeClaimMs} ms after the resume (> 1 s)`);
    // A killed worker's slots of the limited type come back with its lease: while a limited job
    // waited and a worker ran, claims of the type never stopped for longer than that.
    run.expect(maxLimitedGapMs !== null && maxLimitedGapMs <= boundMs + slackMs, `chaos.Limited claims stopped for ${maxLimitedGapMs} ms (> lease + sweep ${boundMs} ms + slack ${slackMs} ms)`);
    run.expect(reclaim.missing === 0, `${reclaim.missing} jobs held by killed workers were never claimed again`);
    run.expect(fleet.unexpectedExits.length === 0, `workers exited on their own: ${JSON.stringify(fleet.unexpectedExits.slice(0, 2))}`);
    run.expect(exitCodes.every((code) => code === 0), `workers exited ${JSON.stringify(exitCodes)} on SIGTERM`);
    return run.result({
      workers,
      concurrency,
      leaseSeconds,
      sweepMs,
      ...coreFigures(figures),
      kills: fleet.kills,
      orphaned: fleet.orphans.length,
      concurrencyLimit: limit,
      maxRunningLimited: maxRunning,
      rateLimitPerSecond: rate.limit,
      maxRatedClaimsPerSecond: maxRate,
      claimsLaterThan1sAfterPause: lateClaims,
      queuedWhilePaused: Number(paused[0]!.queued),
      firstClaimAfterResumeMs: resumeClaimMs === null ? null : Math.round(resumeClaimMs),
      maxLimitedClaimGapMs: maxLimitedGapMs === null ? null : Math.round(maxLimitedGapMs),
      reclaimP99Ms: reclaim.p99,
      reclaimBoundMs: boundMs,
      exitCodesOnSigterm: exitCodes,
    });
  } finally {
    await fleet.destroy();
    await run.close();
  }
};
