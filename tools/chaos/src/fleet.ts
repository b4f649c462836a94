import { queryRetrying } from './audit.js';
import { isAlive, killAll, spawnWorker, stopAll, type WorkerProcess, type WorkerSettings } from './harness.js';
import { percentile } from './checker.js';
import type { Run } from './scenario.js';

/**
 * A fleet of worker processes kept at size: a worker that dies (killed by the scenario, or by a
 * poison job) is restarted. Kills are recorded with the jobs the dead worker still held, so that
 * the time until each is claimed again (re-claim latency) can be measured from the claim audit.
 */
export interface Orphan {
  jobId: string;
  attempt: number;
  killedAt: Date;
}

export class Fleet {
  readonly all: WorkerProcess[] = [];
  readonly slots: WorkerProcess[] = [];
  readonly orphans: Orphan[] = [];
  kills = 0;
  /** Deaths the fleet did not cause (a poison job, a crash), with how they ended. */
  readonly unexpectedExits: { code: number | null; signal: string | null; stderr: string }[] = [];
  private stopping = false;

  constructor(
    private readonly run: Run,
    private readonly settings: Omit<WorkerSettings, 'connectionString' | 'schema'>,
    private readonly restart: boolean,
  ) {}

  async start(size: number, waitReady = true): Promise<void> {
    for (let index = 0; index < size; index++) this.slots.push(this.spawn(index));
    if (waitReady) await Promise.all(this.slots.map((worker) => worker.ready));
  }

  private spawn(slot: number): WorkerProcess {
    const worker = spawnWorker({ connectionString: this.run.connectionString, schema: this.run.schema, ...this.settings });
    this.all.push(worker);
    void worker.exited.then(async ({ code, signal }) => {
      if (this.stopping || (worker as { killedByFleet?: boolean }).killedByFleet) return;
      this.unexpectedExits.push({ code, signal, stderr: worker.stderr.slice(-1_000) });
      if (this.restart && this.slots[slot] === worker) {
        await this.recordOrphans(worker);
        this.slots[slot] = this.spawn(slot);
      }
    });
    return worker;
  }

  /** SIGKILLs the worker in `slot`, records what it held, and starts a replacement. */
  async kill(slot: number): Promise<void> {
    const worker = this.slots[slot]!;
    if (!isAlive(worker) || !worker.id) return;
    (worker as { killedByFleet?: boolean }).killedByFleet = true;
    worker.child.kill('SIGKILL');
    await worker.exited;
    this.kills++;
    await this.recordOrphans(worker);
    this.slots[slot] = this.spawn(slot);
  }

  /** SIGKILLs every live worker and starts none until {@link restartAll}: an outage of the whole fleet. */
  async killAll(): Promise<void> {
    const victims = this.slots.filter((worker) => isAlive(worker));
    for (const worker of victims) {
      (worker as { killedByFleet?: boolean }).killedByFleet = true;
      worker.child.kill('SIGKILL');
    }
    await Promise.all(victims.map((worker) => worker.exited));
    this.kills += victims.length;
    for (const worker of victims) await this.recordOrphans(worker);
  }

  /** Starts a worker in every slot whose worker is dead; waits until they are ready. */
  async restartAll(): Promise<void> {
    for (let slot = 0; slot < this.slots.length; slot++) if (!isAlive(this.slots[slot]!)) this.slots[slot] = this.spawn(slot);
    await Promise.all(this.slots.map((worker) => worker.ready));
  }

  /** After a worker died: the jobs still running under its id are orphans until their lease expires. */
  private async recordOrphans(worker: WorkerProcess): Promise<void> {
    if (!worker.id) return;
    const { rows } = await queryRetrying<{ job_id: string; attempt: number; now: Date }>(
      this.run.chaos.pool,
      `select r.job_id, r.attempt, clock_timestamp() as now
       from ${this.run.schema}.job_running r join ${this.run.schema}.workers w on w.number = r.worker where w.id = $1`,
      [worker.id],
    );
    for (const row of rows) this.orphans.push({ jobId: String(row.job_id), attempt: row.attempt, killedAt: row.now });
  }

  /** Re-claim latency of every orphan (ms from the kill to its next claim), and those never re-claimed. */
  async reclaims(): Promise<{ latencies: number[]; rescueP99: number | null; failedByRescue: number; missing: number; p50: number | null; p99: number | null; max: number | null }> {
    if (this.orphans.length === 0) return { latencies: [], rescueP99: null, failedByRescue: 0, missing: 0, p50: null, p99: null, max: null };
    const { rows } = await queryRetrying<{ job_id: string; latency_ms: number | null; rescue_ms: number | null; failed_by_rescue: boolean }>(
      this.run.chaos.pool,
      `select o.job_id,
              extract(epoch from (select min(c.at) from ${this.run.schema}.chaos_claims c where c.job_id = o.job_id and c.attempt > o.attempt) - o.killed_at) * 1000 as latency_ms,
              extract(epoch from (select min(a.finished_at) from ${this.run.schema}.job_outcomes a where a.job_id = o.job_id and a.attempt = o.attempt) - o.killed_at) * 1000 as rescue_ms,
              exists (select 1 from ${this.run.schema}.job_outcomes a
                      where a.job_id = o.job_id and a.attempt = o.attempt and a.outcome = 'lease_expired' and a.final) as failed_by_rescue
       from unnest($1::bigint[], $2::int[], $3::timestamptz[]) as o(job_id, attempt, killed_at)`,
      [this.orphans.map((orphan) => orphan.jobId), this.orphans.map((orphan) => orphan.attempt), this.orphans.map((orphan) => orphan.killedAt)],
    );
    const latencies = rows.filter((row) => row.latency_ms !== null).map((row) => Math.round(Number(row.latency_ms)));
    const failedByRescue = rows.filter((row) => row.latency_ms === null && row.failed_by_rescue).length;
    return {
      latencies,
      rescueP99: percentile(rows.filter((row) => row.rescue_ms !== null).map((row) => Math.round(Number(row.rescue_ms))), 99),
      failedByRescue,
      missing: rows.length - latencies.length - failedByRescue,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.length ? Math.max(...latencies) : null,
    };
  }

  /** Graceful stop of the live workers; their exit codes. */
  async stop(): Promise<(number | string | null)[]> {
    this.stopping = true;
    return stopAll(this.slots);
  }

  async destroy(): Promise<void> {
    this.stopping = true;
    await killAll(this.all);
  }
}
