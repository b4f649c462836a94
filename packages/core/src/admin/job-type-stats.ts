import { sql } from 'kysely';
import type { AdminContext } from './admin-context.js';

/**
 * Run-time percentiles and payload sizes of one job type, over its latest `sample` successful
 * final runs (newest job first: `job_outcomes_job_idx` walked backwards, the type checked on each
 * outcome — a type that is a tenth of the jobs reads ~10 outcomes per sampled one, adjacent in
 * the heap), each run's input size from its record (jobs_pkey). Recent behaviour, at a cost
 * bounded by the sample rather than by history; the answer says how many runs it covers and
 * since when. A re-run job contributes each successful run.
 */

export interface Distribution {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  mean: number | null;
  max: number | null;
}

export interface JobTypeStatsParams {
  typeId: number;
  /** Runs sampled (the latest). */
  sample: number;
}

export interface JobTypeStats {
  sampled: number;
  sampleLimit: number;
  oldestFinishedAt: Date | null;
  newestFinishedAt: Date | null;
  runTimeMs: Distribution;
  /** Ready → started (of the run that succeeded). */
  queueDelayMs: Distribution;
  inputBytes: Distribution;
  outputBytes: Distribution;
}

const distribution = (expression: string, name: string) =>
  sql.raw(`
  percentile_cont(0.5) within group (order by ${expression}) as ${name}_p50,
  percentile_cont(0.95) within group (order by ${expression}) as ${name}_p95,
  percentile_cont(0.99) within group (order by ${expression}) as ${name}_p99,
  avg(${expression})::float8 as ${name}_mean,
  max(${expression})::float8 as ${name}_max`);

export async function jobTypeStats(context: AdminContext, params: JobTypeStatsParams): Promise<JobTypeStats> {
  const { tables } = context;
  const { rows } = await sql<Record<string, number | string | Date | null>>`
    with sample as (
      select o.job_id, o.started_at, o.finished_at, o.ready_at, o.output_bytes
      from ${tables.jobOutcomes} o
      where o.type_id = ${params.typeId} and o.final and o.outcome = 'succeeded'
      order by o.job_id desc
      limit ${params.sample}
    ),
    sized as (
      -- A scalar subquery: one jobs_pkey probe per sampled run (as a join, the planner may hash
      -- the whole jobs table for 2,000 rows).
      select s.*, (select j.input_bytes from ${tables.jobs} j where j.id = s.job_id) as input_bytes from sample s
    )
    select count(*)::int as sampled, min(finished_at) as oldest, max(finished_at) as newest,
      ${distribution('extract(epoch from finished_at - started_at) * 1000', 'run')},
      ${distribution('extract(epoch from started_at - ready_at) * 1000', 'delay')},
      ${distribution('input_bytes', 'input')},
      ${distribution('output_bytes', 'output')}
    from sized`.execute(context.db);
  const row = rows[0]!;
  const pick = (name: string): Distribution => {
    const value = (suffix: string) => {
      const raw = row[`${name}_${suffix}`];
      return raw === null || raw === undefined ? null : Math.round(Number(raw) * 100) / 100;
    };
    return { p50: value('p50'), p95: value('p95'), p99: value('p99'), mean: value('mean'), max: value('max') };
  };
  return {
    sampled: Number(row.sampled),
    sampleLimit: params.sample,
    oldestFinishedAt: (row.oldest as Date | null) ?? null,
    newestFinishedAt: (row.newest as Date | null) ?? null,
    runTimeMs: pick('run'),
    queueDelayMs: pick('delay'),
    inputBytes: pick('input'),
    outputBytes: pick('output'),
  };
}
