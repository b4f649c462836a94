import type pg from 'pg';
import { queryRetrying } from './audit.js';

/**
 * The checker: reads the audit tables and the store's tables of a scenario's schema (through the
 * audit view `chaos_jobs`: a job's state from its queue row, running row and latest outcome) and
 * counts what was lost or done twice.
 *
 * - `lost`: enqueued (committed) jobs that are not in a final state (succeeded, failed, cancelled).
 * - `doubleCompleted`: jobs with more than one final success between two resets (final outcome rows
 *   of `job_outcomes`, each recorded by the audit trigger in the transaction that wrote it).
 * - `doubleFinalized`: jobs with more than one final outcome of any kind between two resets.
 * - `inconsistent`: rows that contradict each other: a job both queued and running, a queue or
 *   running row without its record, a record with no state at all. Must be 0.
 * - `snapshotMismatches`: enqueued jobs whose state in the store's own view (`job_snapshots`, what
 *   the client and the admin read) differs from the state read from the raw tables. Must be 0.
 * - `duplicateExecutions`: handler executions whose attempt produced no outcome (its lease expired
 *   or it was handed back), so that the job ran again: the re-runs that at-least-once allows after
 *   a kill or a restart.
 * - `sameAttemptExecutions`: one attempt (one claim) executed twice; must be 0.
 */

export interface EnqueuedJob {
  id: string;
  key: string;
  /** What the job was meant to do: the checker groups its figures by kind. */
  kind: string;
  maxAttempts: number;
}

export interface CheckFigures {
  enqueued: number;
  completed: number;
  failed: number;
  cancelled: number;
  lost: number;
  doubleCompleted: number;
  doubleFinalized: number;
  inconsistent: number;
  snapshotMismatches: number;
  executions: number;
  duplicateExecutions: number;
  /** (job, attempt) pairs executed more than once: one claim run twice. Must be 0. */
  sameAttemptExecutions: number;
  /** Per kind: state counts. */
  byKind: Record<string, Record<string, number>>;
  /** A few lost job ids, for a replay. */
  lostSample: string[];
}

/** Writes the harness's record of committed enqueues (kept in memory while Postgres may be down). */
export async function recordEnqueued(pool: pg.Pool, schema: string, jobs: readonly EnqueuedJob[]): Promise<void> {
  for (let start = 0; start < jobs.length; start += 5_000) {
    const chunk = jobs.slice(start, start + 5_000);
    await queryRetrying(
      pool,
      `insert into ${schema}.chaos_enqueued (job_id, key, kind, max_attempts)
       select * from unnest($1::bigint[], $2::text[], $3::text[], $4::int[]) on conflict (job_id) do nothing`,
      [chunk.map((job) => job.id), chunk.map((job) => job.key), chunk.map((job) => job.kind), chunk.map((job) => job.maxAttempts)],
    );
  }
}

const finalStates = `('succeeded', 'failed', 'cancelled')`;

/** Waits until every enqueued job is final (or the timeout); returns how many are not. */
export async function drain(pool: pg.Pool, schema: string, ids: readonly string[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await queryRetrying<{ open: string }>(
      pool,
      `select count(*) as open from unnest($1::bigint[]) as e(id) left join ${schema}.chaos_jobs j on j.id = e.id
       where j.id is null or j.state not in ${finalStates}`,
      [ids],
    );
    const open = Number(rows[0]!.open);
    if (open === 0 || Date.now() > deadline) return open;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function check(pool: pg.Pool, schema: string): Promise<CheckFigures> {
  const q = async <R extends pg.QueryResultRow>(text: string) => (await queryRetrying<R>(pool, text)).rows;
  const [totals] = await q<{ enqueued: string; completed: string; failed: string; cancelled: string; lost: string }>(`
    select count(*) as enqueued,
      count(*) filter (where j.state = 'succeeded') as completed,
      count(*) filter (where j.state = 'failed') as failed,
      count(*) filter (where j.state = 'cancelled') as cancelled,
      count(*) filter (where j.id is null or j.state not in ${finalStates}) as lost
    from ${schema}.chaos_enqueued e left join ${schema}.chaos_jobs j on j.id = e.job_id`);
  const lostSample = (await q<{ job_id: string }>(`
    select e.job_id from ${schema}.chaos_enqueued e left join ${schema}.chaos_jobs j on j.id = e.job_id
    where j.id is null or j.state not in ${finalStates} order by e.job_id limit 10`)).map((row) => String(row.job_id));
  const [doubles] = await q<{ double_completed: string; double_finalized: string }>(`
    select count(*) filter (where successes > 1) as double_completed, count(*) filter (where finals > 1) as double_finalized
    from (select job_id, count(*) filter (where state = 'succeeded') as successes, count(*) as finals
          from ${schema}.chaos_completions group by job_id, epoch) c`);
  const [consistency] = await q<{ inconsistent: string; snapshot_mismatches: string }>(`
    select (select count(*) from ${schema}.chaos_enqueued e join ${schema}.chaos_jobs j on j.id = e.job_id
            where j.state in ('inconsistent', 'stateless'))
         + (select count(*) from ${schema}.job_queue q where not exists (select 1 from ${schema}.jobs j where j.id = q.job_id))
         + (select count(*) from ${schema}.job_running r where not exists (select 1 from ${schema}.jobs j where j.id = r.job_id)) as inconsistent,
           (select count(*) from ${schema}.chaos_enqueued e join ${schema}.chaos_jobs j on j.id = e.job_id
            join ${schema}.job_snapshots s on s.id = e.job_id
            where j.state not in ('inconsistent', 'stateless') and s.state::text is distinct from j.state) as snapshot_mismatches`);
  const [executions] = await q<{ executions: string; wasted: string; same_attempt: string }>(`
    select (select count(*) from ${schema}.chaos_executions) as executions,
           (select count(*) from ${schema}.chaos_executions x join ${schema}.job_outcomes a
              on a.job_id = x.job_id and a.attempt = x.attempt and a.outcome in ('lease_expired', 'handed_back')) as wasted,
           (select count(*) from (select 1 from ${schema}.chaos_executions group by job_id, attempt having count(*) > 1) d) as same_attempt`);
  const kinds = await q<{ kind: string; state: string | null; n: string }>(`
    select e.kind, j.state::text as state, count(*) as n
    from ${schema}.chaos_enqueued e left join ${schema}.chaos_jobs j on j.id = e.job_id group by 1, 2 order by 1, 2`);
  const byKind: Record<string, Record<string, number>> = {};
  for (const row of kinds) (byKind[row.kind] ??= {})[row.state ?? 'missing'] = Number(row.n);
  return {
    enqueued: Number(totals!.enqueued),
    completed: Number(totals!.completed),
    failed: Number(totals!.failed),
    cancelled: Number(totals!.cancelled),
    lost: Number(totals!.lost),
    doubleCompleted: Number(doubles!.double_completed),
    doubleFinalized: Number(doubles!.double_finalized),
    inconsistent: Number(consistency!.inconsistent),
    snapshotMismatches: Number(consistency!.snapshot_mismatches),
    executions: Number(executions!.executions),
    duplicateExecutions: Number(executions!.wasted),
    sameAttemptExecutions: Number(executions!.same_attempt),
    byKind,
    lostSample,
  };
}

/**
 * Jobs of `kind` that did not end as `expected` (with their state and error code). `extra` is a
 * condition over `j` (the audit view `chaos_jobs`: state, attempts, last_error) and `e` (`chaos_enqueued`).
 */
export async function unexpectedOutcomes(pool: pg.Pool, schema: string, kind: string, expected: string, extra = 'true'): Promise<{ id: string; state: string; attempts: number; code: string | null }[]> {
  const { rows } = await queryRetrying<{ id: string; state: string; attempts: number; code: string | null }>(
    pool,
    `select j.id, j.state::text as state, j.attempts, j.last_error->>'code' as code
     from ${schema}.chaos_enqueued e join ${schema}.chaos_jobs j on j.id = e.job_id
     where e.kind = $1 and not (j.state::text = $2 and ${extra}) order by j.id limit 20`,
    [kind, expected],
  );
  return rows.map((row) => ({ ...row, id: String(row.id) }));
}

export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
