import { queryRetrying } from '../audit.js';
import { Fleet } from '../fleet.js';
import { ensurePostgresRunning, pgControl, sleep, watchReady } from '../harness.js';
import { coreFigures, Run, work, type Scenario } from '../scenario.js';

/**
 * pg-restart: under load, Postgres is restarted twice (`pg_ctlcluster … restart`) and, in between,
 * the workers' backends are terminated with pg_terminate_backend. No worker process may exit;
 * processing (a job claimed and completed) resumes within 10 s of Postgres being ready; 0 lost.
 * Only this schema's worker backends are terminated (matched by application name and schema), so
 * other users of the cluster keep their connections, except across the restarts themselves.
 */
export const pgRestart: Scenario = async (options) => {
  const workers = 3;
  const resumeBoundMs = 10_000;
  const durationS = Math.max(options.durationS ?? (options.short ? 24 : 36), 24);
  const run = await Run.start('pg-restart', options);
  const fleet = new Fleet(run, { concurrency: 10, leaseSeconds: 5, sweepMs: 1_000, graceMs: 5_000 }, false);
  const disruptions: { kind: string; readyAt: number; firstClaimMs: number | null; firstCompletionMs: number | null; terminated?: number }[] = [];
  try {
    await fleet.start(workers);
    let producing = true;
    let sequence = 0;
    const producer = (async () => {
      while (producing) {
        await run.submit(Array.from({ length: 5 }, () => ({ type: work, key: `k${sequence++}`, input: { ms: run.random.int(0, 200) }, kind: 'work', options: { maxAttempts: 25 } })), 60_000);
        await sleep(100);
      }
    })();
    const step = (durationS * 1000) / 4;
    const resumedAfter = async (readyAt: number) => {
      const since = new Date(readyAt).toISOString();
      const probe = async (table: string) => {
        const deadline = Date.now() + 30_000;
        for (;;) {
          const { rows } = await queryRetrying<{ at: Date | null }>(run.chaos.pool, `select min(at) as at from ${run.schema}.${table} where at > $1`, [since]);
          if (rows[0]!.at) return rows[0]!.at.getTime() - readyAt;
          if (Date.now() > deadline) return null;
          await sleep(100);
        }
      };
      return { firstClaimMs: await probe('chaos_claims'), firstCompletionMs: await probe('chaos_completions') };
    };
    for (const kind of ['restart', 'terminate-backends', 'restart'] as const) {
      await sleep(step);
      if (kind === 'restart') {
        run.log('restarting Postgres');
        const watch = watchReady(run.connectionString, { down: true });
        const commandStarted = Date.now();
        try {
          await pgControl('restart');
        } finally {
          await ensurePostgresRunning(run.connectionString);
        }
        // If the watcher never caught it down (a very fast restart), the command's return is the bound.
        const readyAt = await Promise.race([watch.readyAt, sleep(2_000).then(() => Date.now())]);
        watch.cancel();
        run.log(`Postgres ready ${readyAt - commandStarted} ms after the restart began`);
        disruptions.push({ kind, readyAt, ...(await resumedAfter(readyAt)) });
      } else {
        run.log('terminating worker backends');
        const { rows } = await queryRetrying<{ n: string }>(
          run.chaos.pool,
          `select count(pg_terminate_backend(pid)) as n from pg_stat_activity
           where pid <> pg_backend_pid() and application_name in ('jobby-worker', 'jobby-listener', 'chaos-audit') and query like $1`,
          [`%${run.schema}%`],
        );
        const readyAt = Date.now();
        disruptions.push({ kind, readyAt, terminated: Number(rows[0]!.n), ...(await resumedAfter(readyAt)) });
      }
    }
    await sleep(step / 2);
    producing = false;
    await producer;
    const figures = await run.finish(120_000);
    const exitedDuringRun = fleet.unexpectedExits.length;
    const exitCodes = await fleet.stop();
    for (const disruption of disruptions) {
      const resumed = Math.max(disruption.firstClaimMs ?? Infinity, disruption.firstCompletionMs ?? Infinity);
      run.expect(resumed <= resumeBoundMs, `processing resumed ${resumed} ms after ${disruption.kind} (bound ${resumeBoundMs} ms)`);
    }
    run.expect(exitedDuringRun === 0, `${exitedDuringRun} worker processes exited: ${JSON.stringify(fleet.unexpectedExits.slice(0, 2))}`);
    run.expect(exitCodes.every((code) => code === 0), `workers exited ${JSON.stringify(exitCodes)} on SIGTERM`);
    return run.result({
      workers,
      restarts: disruptions.filter((disruption) => disruption.kind === 'restart').length,
      disruptions: disruptions.map(({ readyAt: _readyAt, ...rest }) => rest),
      resumeBoundMs,
      workerExits: exitedDuringRun,
      ...coreFigures(figures),
      exitCodesOnSigterm: exitCodes,
    });
  } finally {
    await ensurePostgresRunning(run.connectionString).catch(() => {});
    await fleet.destroy();
    await run.close();
  }
};
