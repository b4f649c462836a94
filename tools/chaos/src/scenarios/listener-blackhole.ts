import { createWorker, openDatabase, type JobbyDatabase, type Worker } from '@jobby/core';
import { createTcpProxy, type TcpProxy } from '@jobby/core/testing';
import { queryRetrying } from '../audit.js';
import { percentile } from '../checker.js';
import { until, sleep } from '../harness.js';
import { chaosRegistry } from '../plugin.js';
import { coreFigures, Run, silentLogger, work, type Scenario } from '../scenario.js';

/**
 * listener-blackhole: 2 workers reach Postgres through a TCP proxy; mid-run the proxy stops
 * forwarding the bytes of their notification connections without closing them (a load balancer or
 * firewall that forgot an idle connection). Jobs keep arriving one at a time, and a running job is
 * cancelled while the notifications cannot get through.
 *
 * Must hold: every listener is replaced by a new connection within the health check's bound
 * (interval + timeout + first reconnection delay, plus slack); the cancelled job's handler is
 * aborted within that bound too (the worker checks its leases on reconnection); once reconnected,
 * jobs are picked up by notification again (p50 under a quarter of the poll interval, which is
 * what polling alone would give at best); lost 0, doubleCompleted 0.
 *
 * Before the fix of issue 16 the dead connection was never noticed: workers polled for good
 * (pickups p50 1.3 s, max 2.4 s with a 2 s poll) and cancelling a running job took ~8 s.
 */
export const listenerBlackhole: Scenario = async (options) => {
  const workerCount = 2;
  const pollMs = 2_000;
  // Full size with the worker's defaults; the short version checks more often, to stay fast.
  const healthCheck = options.short ? { intervalMs: 500, timeoutMs: 500 } : { intervalMs: 3_000, timeoutMs: 2_000 };
  const reconnectBoundMs = healthCheck.intervalMs + healthCheck.timeoutMs + 625 + 3_000;
  const trickle = options.short ? { before: 5, outage: 8, after: 8 } : { before: 20, outage: 40, after: 40 };
  const gapMs = 200;
  const run = await Run.start('listener-blackhole', options);
  const savedPoll = process.env.CHAOS_POLL_MS;
  process.env.CHAOS_POLL_MS = String(pollMs);
  let proxy: TcpProxy | undefined;
  const databases: JobbyDatabase[] = [];
  const workers: Worker[] = [];
  try {
    proxy = await createTcpProxy({ target: run.connectionString });
    const listeners = () => proxy!.connections.filter((connection) => connection.applicationName === 'jobby-listener');
    const aborted = new Map<string, number>();
    for (let index = 0; index < workerCount; index++) {
      const database = await openDatabase({ connectionString: proxy.connectionString, schema: run.schema, poolSize: 4, applicationName: 'chaos-blackhole' });
      databases.push(database);
      // Long leases: the lease keeper runs every 20 s, so it cannot be what notices the cancellation.
      const worker = createWorker({ database, registry: chaosRegistry, logger: silentLogger, concurrency: 10, leaseSeconds: 60, sweepIntervalMs: 1_000, workerId: `blackhole-${index}`, notificationHealthCheck: healthCheck });
      worker.events.on('job:stale', (event) => aborted.set(event.id, Date.now()));
      workers.push(worker);
    }
    await Promise.all(workers.map((worker) => worker.start()));
    await until('every worker to listen', async () => listeners().length >= workerCount, 10_000);

    const submitTrickle = async (kind: string, count: number) => {
      for (let index = 0; index < count; index++) {
        await run.submit([{ type: work, key: `${kind}-${index}`, input: { ms: 0 }, kind, options: { maxAttempts: 3 } }]);
        await sleep(gapMs);
      }
    };
    await submitTrickle('before', trickle.before);

    // A job running when the notifications stop; it heeds its signal.
    await run.submit([{ type: work, key: 'cancel-target', input: { ms: 120_000 }, kind: 'cancel-target', options: { maxAttempts: 1 } }]);
    const target = run.enqueued.at(-1)!.id;
    await until('the cancel target to run', async () => (await run.client.getById(target))?.state === 'running', 10_000);

    const blackholedAt = Date.now();
    const blackholed = proxy.blackhole((connection) => connection.applicationName === 'jobby-listener');
    run.expect(blackholed === workerCount, `black-holed ${blackholed} listener connections, expected ${workerCount}`);
    await sleep(200);
    const cancelledAt = Date.now();
    run.expect(await run.client.cancel(work, 'cancel-target'), 'the cancel target was not cancelled');

    const outage = submitTrickle('outage', trickle.outage);
    const reconnected = until(
      'every listener to reconnect',
      async () => {
        const fresh = listeners().filter((connection) => connection.openedAt >= blackholedAt);
        return fresh.length >= workerCount && fresh;
      },
      reconnectBoundMs + 10_000,
    ).catch(() => listeners().filter((connection) => connection.openedAt >= blackholedAt));
    const [fresh] = await Promise.all([reconnected, outage]);
    const reconnectMs = fresh.map((connection) => connection.openedAt - blackholedAt).sort((a, b) => a - b);
    await submitTrickle('after', trickle.after);
    await until('the cancel target to be aborted', async () => aborted.has(target), 30_000).catch(() => {});
    const cancelAbortMs = aborted.has(target) ? aborted.get(target)! - cancelledAt : null;

    const figures = await run.finish(60_000);
    const { rows } = await queryRetrying<{ kind: string; ms: number }>(
      run.chaos.pool,
      `select e.kind, extract(epoch from (min(c.at) - j.created_at)) * 1000 as ms
       from ${run.schema}.chaos_enqueued e join ${run.schema}.jobs j on j.id = e.job_id join ${run.schema}.chaos_claims c on c.job_id = e.job_id
       where e.kind in ('before', 'outage', 'after') group by e.job_id, e.kind, j.created_at`,
    );
    const pickups = (kind: string) => {
      const values = rows.filter((row) => row.kind === kind).map((row) => Math.round(Number(row.ms)));
      return { p50: percentile(values, 50), max: values.length ? Math.max(...values) : null };
    };
    const pickupMs = { before: pickups('before'), outage: pickups('outage'), after: pickups('after') };

    run.expect(reconnectMs.length >= workerCount, `${reconnectMs.length} of ${workerCount} listeners reconnected within ${reconnectBoundMs + 10_000} ms of the black-hole`);
    run.expect(reconnectMs.every((ms) => ms <= reconnectBoundMs), `listeners reconnected after ${reconnectMs.join(', ')} ms (bound ${reconnectBoundMs} ms)`);
    run.expect(cancelAbortMs !== null && cancelAbortMs <= reconnectBoundMs, `the cancelled job's handler was aborted after ${cancelAbortMs ?? 'never'} ms (bound ${reconnectBoundMs} ms)`);
    run.expect(pickupMs.after.p50 !== null && pickupMs.after.p50 <= pollMs / 4, `after reconnecting, pickups p50 ${pickupMs.after.p50} ms (bound ${pollMs / 4} ms: notifications, not polling)`);
    run.expect(figures.cancelled === 1, `${figures.cancelled} jobs cancelled, expected the one target`);
    return run.result({
      workers: workerCount,
      pollMs,
      healthCheck,
      listenersBlackholed: blackholed,
      reconnectMs,
      reconnectBoundMs,
      cancelAbortMs,
      pickupMs,
      ...coreFigures(figures),
    });
  } finally {
    if (savedPoll === undefined) delete process.env.CHAOS_POLL_MS;
    else process.env.CHAOS_POLL_MS = savedPoll;
    await Promise.all(workers.map((worker) => worker.stop({ graceMs: 2_000 }).catch(() => {})));
    await Promise.all(databases.map((database) => database.close({ timeoutMs: 2_000 }).catch(() => {})));
    await proxy?.close();
    await run.close();
  }
};
