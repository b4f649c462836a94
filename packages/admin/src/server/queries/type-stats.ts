import type { JobbyDatabase } from '@jobby/core';
import { query, type AdminTables } from './tables.js';

/**
 * Run-time percentiles and payload sizes of one job type, over its latest `sample` succeeded jobs
 * (newest first from `jobs_admin_state_type_idx`): recent behaviour, at a cost bounded by the sample
 * rather than by the table. The answer says how many jobs it covers and since when.
 */

export interface Distribution {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  mean: number | null;
  max: number | null;
}

export interface TypeStatsResult {
  sampled: number;
  sampleLimit: number;
  oldestFinishedAt: Date | null;
  newestFinishedAt: Date | null;
  runTimeMs: Distribution;
  /** Ready → started (of the attempt that succeeded). */
  queueDelayMs: Distribution;
  inputBytes: Distribution;
  outputBytes: Distribution;
}

const distribution = (expression: string, name: string) => `
  percentile_cont(0.5) within group (order by ${expression}) as ${name}_p50,
  percentile_cont(0.95) within group (order by ${expression}) as ${name}_p95,
  percentile_cont(0.99) within group (order by ${expression}) as ${name}_p99,
  avg(${expression})::float8 as ${name}_mean,
  max(${expression})::float8 as ${name}_max`;

export async function jobTypeStats(
  environment: { pool: JobbyDatabase['pool']; tables: AdminTables },
  params: { typeId: number; sample: number },
): Promise<TypeStatsResult> {
  const rows = await query<Record<string, number | string | Date | null>>(
    environment.pool,
    `with sample as (
       select started_at, finished_at, ready_at, input_bytes, output_bytes
       from ${environment.tables.jobs}
       where state = 'succeeded' and type_id = $1
       order by id desc
       limit $2
     )
     select count(*)::int as sampled, min(finished_at) as oldest, max(finished_at) as newest,
       ${distribution('extract(epoch from finished_at - started_at) * 1000', 'run')},
       ${distribution('extract(epoch from started_at - ready_at) * 1000', 'delay')},
       ${distribution('input_bytes', 'input')},
       ${distribution('output_bytes', 'output')}
     from sample`,
    [params.typeId, params.sample],
  );
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
