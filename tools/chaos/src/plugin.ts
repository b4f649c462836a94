import pg from 'pg';
import { backoffDelay, defineJobs, definePlugin, defineRegistry, isTransientDatabaseError, payload, type JobRegistry, type ModuleContext, type ScheduleCatchUp, type PluginModule, type WorkerRegistry } from '@jobby/core';

/**
 * The chaos plugin: handlers whose duration, failures and fatality come from their input, and that
 * record every execution in the audit table `<schema>.chaos_executions` with their own autocommit
 * insert (before doing anything else), so that the checker can count executions per attempt.
 */

export enum ChaosJob {
  /** Sleeps `ms`, fails its first `failTimes` attempts, or every attempt when `alwaysFail`. */
  Work = 0,
  /** Fan-in of a workflow: succeeds when it sees all `parents` dependency outputs. */
  Join = 1,
  /** Kills its own process with SIGKILL (only where CHAOS_ALLOW_POISON=1). */
  Poison = 2,
  /** Like Work; the flow-control scenario gives it a cluster-wide concurrency limit. */
  Limited = 3,
  /** Like Work; the flow-control scenario gives it a rate limit. */
  Rated = 4,
}

export interface WorkInput {
  ms: number;
  failTimes?: number;
  alwaysFail?: boolean;
  /** On its first `stuckAttempts` attempts (default 1), sleeps this long first, ignoring its AbortSignal. */
  stuckMs?: number;
  stuckAttempts?: number;
  /** Padding, to make payloads of a given size. */
  pad?: string;
}

export const chaosJobs = defineJobs({
  plugin: 'chaos',
  enum: ChaosJob,
  types: {
    Work: { input: payload<WorkInput>(), output: payload<{ attempt: number }>(), submittable: true },
    Join: { input: payload<{ parents: number }>(), output: payload<{ sum: number }>() },
    Poison: { input: payload<{ note?: string }>() },
    Limited: { input: payload<WorkInput>(), output: payload<{ attempt: number }>(), submittable: true },
    Rated: { input: payload<WorkInput>(), output: payload<{ attempt: number }>(), submittable: true },
  },
});

type Jobs = typeof chaosJobs;

interface AuditTarget {
  pool: pg.Pool;
  schema: string;
}

let audit: AuditTarget | undefined;

/**
 * What `chaos.Work` handlers in this process are doing: bodies in flight (abandoned ones included:
 * a body ends when the handler's promise settles), the most at once, and runs of one job id that
 * overlapped. Read by in-process scenarios (abandoned-handler).
 */
export const workHandlerStats = {
  inFlight: 0,
  maxInFlight: 0,
  sameJobOverlaps: 0,
  running: new Map<string, number>(),
  reset(): void {
    this.inFlight = 0;
    this.maxInFlight = 0;
    this.sameJobOverlaps = 0;
    this.running.clear();
  },
};

/** Where handlers record executions; set by the worker-process entry or an in-process scenario. */
export function configureChaosAudit(target: AuditTarget | undefined): void {
  audit = target;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (ms <= 0) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** One autocommit insert per execution; waits out a database restart (up to a minute). */
async function recordExecution(job: { id: string; key: string; attempt: number }): Promise<void> {
  if (!audit) throw new Error('chaos audit is not configured');
  const { pool, schema } = audit;
  const deadline = Date.now() + 60_000;
  for (let failures = 1; ; failures++) {
    try {
      await pool.query(`insert into ${schema}.chaos_executions (job_id, key, attempt, pid) values ($1, $2, $3, $4)`, [job.id, job.key, job.attempt, process.pid]);
      return;
    } catch (error) {
      if (!isTransientDatabaseError(error) || Date.now() > deadline) throw error;
      await sleep(backoffDelay(failures, { baseMs: 50, maxMs: 2_000 }));
    }
  }
}

export class ChaosModule implements PluginModule<Jobs> {
  static initialize(_context: ModuleContext): ChaosModule {
    return new ChaosModule();
  }

  workers(registry: WorkerRegistry<Jobs>): void {
    const concurrency = Number(process.env.CHAOS_TYPE_CONCURRENCY ?? 100);
    const options = { concurrency, backoffBaseMs: 50, backoffMaxMs: 400, pollIntervalMs: Number(process.env.CHAOS_POLL_MS ?? 1_000) };
    const workTimeoutMs = process.env.CHAOS_WORK_TIMEOUT_MS ? Number(process.env.CHAOS_WORK_TIMEOUT_MS) : undefined;
    const work = async ({ input, job, signal }: { input: WorkInput; job: { id: string; key: string; attempt: number }; signal: AbortSignal }) => {
      const stats = workHandlerStats;
      const runs = stats.running.get(job.id) ?? 0;
      if (runs > 0) stats.sameJobOverlaps++;
      stats.running.set(job.id, runs + 1);
      stats.maxInFlight = Math.max(stats.maxInFlight, ++stats.inFlight);
      try {
        await recordExecution(job);
        // A handler that ignores its signal (it runs on after a timeout or a cancel).
        if (input.stuckMs !== undefined && job.attempt <= (input.stuckAttempts ?? 1)) await sleep(input.stuckMs);
        if (input.alwaysFail) throw new Error(`always fails (attempt ${job.attempt})`);
        if (job.attempt <= (input.failTimes ?? 0)) throw new Error(`fails its first ${input.failTimes} attempts (attempt ${job.attempt})`);
        await sleep(input.ms, signal);
        return { attempt: job.attempt };
      } finally {
        stats.inFlight--;
        const left = stats.running.get(job.id)! - 1;
        if (left === 0) stats.running.delete(job.id);
        else stats.running.set(job.id, left);
      }
    };
    const workOptions = workTimeoutMs === undefined ? options : { ...options, timeoutMs: workTimeoutMs };
    registry.register(ChaosJob.Work, 'chaos_work', work, workOptions);
    registry.register(ChaosJob.Limited, 'chaos_limited', work, workOptions);
    registry.register(ChaosJob.Rated, 'chaos_rated', work, workOptions);
    registry.register(
      ChaosJob.Join,
      'chaos_join',
      async ({ input, job, dependencies }) => {
        await recordExecution(job);
        if (dependencies.length !== input.parents) throw new Error(`expected ${input.parents} dependency outputs, got ${dependencies.length}`);
        return { sum: dependencies.reduce((total, dependency) => total + ((dependency.output as { attempt: number } | null)?.attempt ?? 0), 0) };
      },
      options,
    );
    registry.register(
      ChaosJob.Poison,
      'chaos_poison',
      async ({ job }) => {
        await recordExecution(job);
        if (process.env.CHAOS_ALLOW_POISON !== '1') throw new Error('poison jobs run only in worker processes that allow them');
        process.kill(process.pid, 'SIGKILL');
        await sleep(60_000);
        return null;
      },
      options,
    );
  }

  /**
   * Schedules of `chaos.Work` from CHAOS_SCHEDULES (JSON: `[{ name, cron, catchUp }]`), for the
   * schedule-race scenario.
   */
  jobs(registry: JobRegistry<Jobs>): void {
    const schedules = JSON.parse(process.env.CHAOS_SCHEDULES ?? '[]') as { name: string; cron: string; catchUp: ScheduleCatchUp }[];
    for (const schedule of schedules) registry.schedule(ChaosJob.Work, { ...schedule, input: { ms: 0 }, maxAttempts: 10 });
  }
}

export const chaosPlugin = definePlugin({ jobs: chaosJobs, module: ChaosModule });

const object = (properties: Record<string, unknown>, required: string[]) => ({ type: 'object', properties, required, additionalProperties: false });

const workSchema = object(
  {
    ms: { type: 'integer', minimum: 0 },
    failTimes: { type: 'integer', minimum: 0 },
    alwaysFail: { type: 'boolean' },
    stuckMs: { type: 'integer', minimum: 0 },
    stuckAttempts: { type: 'integer', minimum: 0 },
    pad: { type: 'string' },
  },
  ['ms'],
);

export const chaosClientId = 61;
export const chaosTypeIds = { Work: 61_000, Join: 61_001, Poison: 61_002, Limited: 61_003, Rated: 61_004 } as const;

/** A hand-written registry in the generated shape. */
export const chaosRegistry = defineRegistry({
  plugins: [
    {
      name: 'chaos',
      clientId: chaosClientId,
      packageName: '@jobby/chaos',
      version: '0.1.0',
      definition: chaosPlugin,
      jobTypes: [
        {
          id: chaosTypeIds.Work,
          localId: 0,
          name: 'Work',
          submittable: true,
          inputSchema: workSchema,
        },
        { id: chaosTypeIds.Join, localId: 1, name: 'Join', submittable: false, inputSchema: object({ parents: { type: 'integer', minimum: 1 } }, ['parents']) },
        { id: chaosTypeIds.Poison, localId: 2, name: 'Poison', submittable: false, inputSchema: object({ note: { type: 'string' } }, []) },
        { id: chaosTypeIds.Limited, localId: 3, name: 'Limited', submittable: true, inputSchema: workSchema },
        { id: chaosTypeIds.Rated, localId: 4, name: 'Rated', submittable: true, inputSchema: workSchema },
      ],
    },
  ],
});
