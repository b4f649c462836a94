import type { JobbyDatabase } from '@jobby/core';
import { query, type AdminTables } from './tables.js';

/**
 * Jobs finished per time bucket (succeeded and failed for good), for the overview chart. An
 * index-only range scan of `jobs_admin_finished_idx`: its cost is the number of jobs finished in the
 * window, not the size of the table. Times come from the database clock.
 */

export const throughputWindows = {
  '1h': { seconds: 3_600, bucketSeconds: 60 },
  '6h': { seconds: 21_600, bucketSeconds: 300 },
  '24h': { seconds: 86_400, bucketSeconds: 900 },
} as const;
export type ThroughputWindow = keyof typeof throughputWindows;

export interface ThroughputResult {
  from: Date;
  to: Date;
  bucketSeconds: number;
  buckets: { start: Date; succeeded: number; failed: number; cancelled: number }[];
}

export async function jobThroughput(
  environment: { pool: JobbyDatabase['pool']; tables: AdminTables },
  params: { window: ThroughputWindow; typeIds?: readonly number[] },
): Promise<ThroughputResult> {
  const { seconds, bucketSeconds } = throughputWindows[params.window];
  // Buckets are aligned to the bucket size so that consecutive refreshes line up.
  const rows = await query<{ window_start: Date; window_end: Date; bucket: number; state: string; count: number }>(
    environment.pool,
    `with bounds as (
       select to_timestamp(floor(extract(epoch from now()) / $2) * $2 + $2 - $1) as window_start,
              to_timestamp(floor(extract(epoch from now()) / $2) * $2 + $2) as window_end
     )
     select b.window_start, b.window_end, g.bucket, g.state, g.count
     from bounds b
     left join lateral (
       select floor(extract(epoch from j.finished_at - b.window_start) / $2)::int as bucket, j.state::text as state, count(*)::int as count
       from ${environment.tables.jobs} j
       where j.finished_at >= b.window_start and j.finished_at < b.window_end
         and ($3::int[] is null or j.type_id = any($3::int[]))
       group by 1, 2
     ) g on true`,
    [seconds, bucketSeconds, params.typeIds?.length ? params.typeIds : null],
  );
  const from = rows[0]!.window_start;
  const to = rows[0]!.window_end;
  const bucketCount = Math.round(seconds / bucketSeconds);
  const buckets = Array.from({ length: bucketCount }, (_, index) => ({
    start: new Date(from.getTime() + index * bucketSeconds * 1000),
    succeeded: 0,
    failed: 0,
    cancelled: 0,
  }));
  for (const row of rows) {
    if (row.bucket === null || row.bucket < 0 || row.bucket >= bucketCount) continue;
    const bucket = buckets[row.bucket]!;
    if (row.state === 'succeeded' || row.state === 'failed' || row.state === 'cancelled') bucket[row.state] += row.count;
  }
  return { from, to, bucketSeconds, buckets };
}
