import { sql } from 'kysely';
import type { AdminContext } from './admin-context.js';

/**
 * Jobs finished per time bucket (succeeded, failed for good, cancelled), for the overview chart:
 * sums of the job_stats rollups over the window, a range of its primary key `(minute, type_id,
 * worker)` — a few thousand rows for 24 hours, whatever the throughput. Counts are of finishes
 * (a job that finished twice, after a retry or re-run, counts in both buckets; ephemeral jobs
 * count). Buckets are aligned to their size on the database clock, so consecutive refreshes line
 * up; every bucket size is a whole number of minutes, so a rollup minute falls in one bucket.
 */

export const jobThroughputWindows = {
  '1h': { seconds: 3_600, bucketSeconds: 60 },
  '6h': { seconds: 21_600, bucketSeconds: 300 },
  '24h': { seconds: 86_400, bucketSeconds: 900 },
} as const;
export type JobThroughputWindow = keyof typeof jobThroughputWindows;

export interface JobThroughputParams {
  window: JobThroughputWindow;
  /** Only these types (all when absent or empty). */
  typeIds?: readonly number[];
}

export interface JobThroughput {
  from: Date;
  to: Date;
  bucketSeconds: number;
  buckets: { start: Date; succeeded: number; failed: number; cancelled: number }[];
}

export async function jobThroughput(context: AdminContext, params: JobThroughputParams): Promise<JobThroughput> {
  const { seconds, bucketSeconds } = jobThroughputWindows[params.window];
  const typeIds = params.typeIds?.length ? params.typeIds : null;
  const { rows } = await sql<{ window_start: Date; window_end: Date; bucket: number | null; succeeded: number; failed: number; cancelled: number }>`
    with bounds as (
      select to_timestamp(floor(extract(epoch from now()) / ${bucketSeconds}) * ${bucketSeconds} + ${bucketSeconds} - ${seconds}) as window_start,
             to_timestamp(floor(extract(epoch from now()) / ${bucketSeconds}) * ${bucketSeconds} + ${bucketSeconds}) as window_end
    )
    select b.window_start, b.window_end, g.bucket, g.succeeded, g.failed, g.cancelled
    from bounds b
    left join lateral (
      select floor(extract(epoch from s.minute - b.window_start) / ${bucketSeconds})::int as bucket,
             sum(s.succeeded)::int as succeeded, sum(s.failed)::int as failed, sum(s.cancelled)::int as cancelled
      from ${context.tables.jobStats} s
      where s.minute >= b.window_start and s.minute < b.window_end
        and (${typeIds === null ? sql`true` : sql`s.type_id = any(${sql.val(typeIds)}::int[])`})
      group by 1
    ) g on true`.execute(context.db);
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
    bucket.succeeded += row.succeeded;
    bucket.failed += row.failed;
    bucket.cancelled += row.cancelled;
  }
  return { from, to, bucketSeconds, buckets };
}
