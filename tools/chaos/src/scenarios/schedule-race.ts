import { queryRetrying } from '../audit.js';
import { Fleet } from '../fleet.js';
import { sleep } from '../harness.js';
import { chaosTypeIds } from '../plugin.js';
import { coreFigures, Run, type Scenario } from '../scenario.js';

/**
 * schedule-race: 3 worker processes run two schedules of `chaos.Work` firing every second (issue
 * 19), one catching up every missed slot (`{ upTo: 1000 }`), one only the last (`'last'`). Every
 * 2–6 s a random worker is SIGKILLed and restarted; once (full size) the whole fleet is killed and
 * kept down for 15 s, longer than the slots enqueued ahead (10 s), then restarted.
 *
 * Checks, from the jobs table and the audit tables (never the workers' word):
 * - exactly one job per slot: one job per (schedule, run-at), keyed `<name>@<slot>`, run-at on a
 *   whole second, and each job completed once (the checker: lost 0, doubleCompleted 0);
 * - no slot missed beyond the catch-up policy: `all` has every second from its first slot to its
 *   last, the outage's slots enqueued late; `last` skips slots only where no worker ran, and each
 *   such run of skipped slots ends with its latest slot, enqueued late (caught up).
 */
export const scheduleRace: Scenario = async (options) => {
  const workers = 3;
  const durationS = options.durationS ?? (options.short ? 8 : 60);
  const outageMs = options.short ? 0 : 15_000;
  const run = await Run.start('schedule-race', options);
  const schedules = [
    { name: 'all', cron: '* * * * * *', catchUp: { upTo: 1000 } },
    { name: 'last', cron: '* * * * * *', catchUp: 'last' },
  ];
  const fleet = new Fleet(run, { concurrency: 10, leaseSeconds: 3, sweepMs: 1_000, graceMs: 5_000, schedules }, true);
  let outage: { from: number; to: number } | undefined;
  try {
    await fleet.start(workers);
    const startedAt = Date.now();
    run.log(`${workers} workers ready; schedules every second for ${durationS} s, SIGKILL every ${options.short ? '1.5–3' : '2–6'} s${outageMs ? `, one ${outageMs / 1000} s outage of the whole fleet` : ''}`);
    const until = startedAt + durationS * 1000;
    const outageAt = startedAt + (durationS * 1000) / 2;
    while (Date.now() < until) {
      await sleep(run.random.int(options.short ? 1_500 : 2_000, options.short ? 3_000 : 6_000));
      if (Date.now() >= until) break;
      if (outageMs > 0 && !outage && Date.now() >= outageAt) {
        const from = Date.now();
        await fleet.killAll();
        run.log(`fleet down for ${outageMs / 1000} s`);
        await sleep(outageMs);
        // Down until a restarted worker runs again (starting takes seconds on a loaded machine).
        await fleet.restartAll();
        outage = { from, to: Date.now() };
        continue;
      }
      await fleet.kill(run.random.int(0, workers - 1));
    }
    // The slots due by now: their jobs must run; later ones (enqueued ahead) are left to the stop.
    const { rows } = await queryRetrying<{ id: string; key: string; run_at: Date; created_at: Date }>(
      run.chaos.pool,
      `select id, key, run_at, created_at from ${run.schema}.jobs where type_id = $1 and run_at <= now() order by run_at, key`,
      [chaosTypeIds.Work],
    );
    for (const row of rows) run.enqueued.push({ id: String(row.id), key: row.key, kind: row.key.split('@')[0]!, maxAttempts: 10 });
    run.log(`${rows.length} slot jobs due, ${fleet.kills} kills; draining`);
    const figures = await run.finish(60_000);
    const exitCodes = await fleet.stop();

    const bySchedule = new Map<string, { key: string; slot: number; created: number }[]>();
    for (const row of rows) {
      const name = row.key.split('@')[0]!;
      const list = bySchedule.get(name) ?? [];
      list.push({ key: row.key, slot: row.run_at.getTime(), created: row.created_at.getTime() });
      bySchedule.set(name, list);
    }
    const report: Record<string, unknown> = {};
    for (const { name } of schedules) {
      const jobs = bySchedule.get(name) ?? [];
      const slots = jobs.map((job) => job.slot);
      const wrongKeys = jobs.filter((job) => job.key !== `${name}@${new Date(job.slot).toISOString()}` || job.slot % 1_000 !== 0);
      const twice = slots.length - new Set(slots).size;
      const missing: number[] = [];
      /** Gaps (runs of missing slots) not followed by a slot enqueued late, i.e. not caught up. */
      let gapsNotCaughtUp = 0;
      for (let index = 1; index < jobs.length; index++) {
        const before = missing.length;
        for (let slot = jobs[index - 1]!.slot + 1_000; slot < jobs[index]!.slot; slot += 1_000) missing.push(slot);
        if (missing.length > before && jobs[index]!.created <= jobs[index]!.slot) gapsNotCaughtUp++;
      }
      // Enqueued after their time: the slots a catch-up ran.
      const caughtUp = jobs.filter((job) => job.created > job.slot).length;
      // Half the seconds the fleet ran at least (the outage's slots are skipped by 'last').
      const runningS = durationS - (outage ? (outage.to - outage.from) / 1000 : 0);
      run.expect(slots.length >= runningS / 2, `schedule ${name}: only ${slots.length} slots in the ${Math.round(runningS)} s the fleet ran`);
      run.expect(wrongKeys.length === 0, `schedule ${name}: jobs not keyed by their slot: ${JSON.stringify(wrongKeys.slice(0, 3))}`);
      run.expect(twice === 0, `schedule ${name}: ${twice} slots with more than one job`);
      const sample = (list: number[]) => list.slice(0, 3).map((slot) => new Date(slot).toISOString()).join(', ');
      if (name === 'all') {
        run.expect(missing.length === 0, `schedule all (catch-up up-to-1000): ${missing.length} slots missed, e.g. ${sample(missing)}`);
        if (outage) run.expect(caughtUp > 0, 'schedule all: no slot of the outage was caught up');
      } else {
        // 'last': the slots missed while no worker ran are skipped but the latest, which runs late.
        run.expect(gapsNotCaughtUp === 0, `schedule last: ${gapsNotCaughtUp} runs of missed slots without their latest slot caught up`);
        if (outage) run.expect(missing.length > 0, 'schedule last: no slot of the outage was skipped');
        const outside = missing.filter((slot) => !outage || slot < outage.from || slot > outage.to);
        if (outside.length > 0) run.log(`schedule last: ${outside.length} slots missed outside the planned outage (no worker ran the scheduler for over 5 s), e.g. ${sample(outside)}`);
      }
      report[name] = { slots: slots.length, missed: missing.length, caughtUp, slotsWithTwoJobs: twice };
    }
    run.expect(fleet.unexpectedExits.length === 0, `workers exited on their own: ${JSON.stringify(fleet.unexpectedExits.slice(0, 2))}`);
    run.expect(exitCodes.every((code) => code === 0), `workers exited ${JSON.stringify(exitCodes)} on SIGTERM`);
    return run.result({
      workers,
      durationS,
      kills: fleet.kills,
      outageMs: outage ? outage.to - outage.from : 0,
      plannedOutageMs: outageMs,
      schedules: report,
      ...coreFigures(figures),
      exitCodesOnSigterm: exitCodes,
    });
  } finally {
    await fleet.destroy();
    await run.close();
  }
};
