import { sql } from 'kysely';
import type { AdminContext } from './admin-context.js';

/**
 * Queue health per job type, for the overview: how deep each queue is, how long its oldest due
 * job has waited, how fast workers pick jobs up, and its failures over the last hour. Never a scan
 * of history:
 *
 * - depth and oldest due age: job_queue grouped by type (the hot table: jobs not yet claimed);
 *   a job is due from the later of its ready_at (enqueued, dependencies met, backoff over) and
 *   its run_at (ready_at is the enqueue time for a scheduled job);
 * - pickup latency: job_running with each record's run_at (primary-key probes): due → claimed of
 *   the attempts running now, the current wait for a free worker (none when nothing runs);
 * - finishes and failures: the job_stats rollups of the last hour, per type and 5-minute bucket.
 */

export interface QueueHealth {
  typeId: number;
  /** Due now (not scheduled, no pending dependency). */
  due: number;
  /** Waiting for their run-at time, never run. */
  scheduled: number;
  /** Ran before: waiting for a retry's backoff or due again. */
  retrying: number;
  /** Waiting for dependencies. */
  waiting: number;
  running: number;
  /** Since when the oldest due job has been ready (null: nothing due). */
  oldestDueReadyAt: Date | null;
  /** Mean ready → claimed of the attempts running now, in ms (null: none running). */
  pickupMs: number | null;
  /** The last hour in 12 buckets of 5 minutes, oldest first: finishes and failures (a failed attempt that will retry counts as retried). */
  lastHour: { start: Date; succeeded: number; failed: number; retried: number; cancelled: number }[];
}

const bucketMinutes = 5;
const buckets = 12;

export async function jobQueueHealth(context: AdminContext): Promise<{ now: Date; types: QueueHealth[] }> {
  const { tables } = context;
  const [queue, running, stats, clock] = await Promise.all([
    sql<{ type_id: number; due: string; scheduled: string; retrying: string; waiting: string; oldest: Date | null }>`
      select q.type_id,
        count(*) filter (where q.pending_dependencies = 0 and q.run_at <= now()) as due,
        count(*) filter (where q.pending_dependencies = 0 and q.run_at > now() and q.attempts = 0) as scheduled,
        count(*) filter (where q.pending_dependencies = 0 and q.attempts > 0) as retrying,
        count(*) filter (where q.pending_dependencies > 0) as waiting,
        min(greatest(q.ready_at, q.run_at)) filter (where q.pending_dependencies = 0 and q.run_at <= now()) as oldest
      from ${tables.jobQueue} q group by q.type_id`.execute(context.db),
    sql<{ type_id: number; running: string; pickup_ms: number | null }>`
      select r.type_id, count(*) as running,
        avg(extract(epoch from (r.claimed_at - greatest(r.ready_at, j.run_at))) * 1000) filter (where r.ready_at is not null) as pickup_ms
      from ${tables.jobRunning} r join ${tables.jobs} j on j.id = r.job_id group by r.type_id`.execute(context.db),
    sql<{ type_id: number; bucket: number; succeeded: string; failed: string; retried: string; cancelled: string }>`
      select s.type_id, floor(extract(epoch from (now() - s.minute)) / ${bucketMinutes * 60})::int as bucket,
        sum(s.succeeded) as succeeded, sum(s.failed) as failed, sum(s.retried) as retried, sum(s.cancelled) as cancelled
      from ${tables.jobStats} s where s.minute > now() - make_interval(mins => ${bucketMinutes * buckets})
      group by 1, 2`.execute(context.db),
    sql<{ now: Date }>`select now() as now`.execute(context.db),
  ]);
  const now = new Date(clock.rows[0]!.now);
  const byType = new Map<number, QueueHealth>();
  const entry = (typeId: number): QueueHealth => {
    let health = byType.get(typeId);
    if (!health) {
      health = {
        typeId,
        due: 0,
        scheduled: 0,
        retrying: 0,
        waiting: 0,
        running: 0,
        oldestDueReadyAt: null,
        pickupMs: null,
        lastHour: Array.from({ length: buckets }, (_, index) => ({
          start: new Date(now.getTime() - (buckets - index) * bucketMinutes * 60_000),
          succeeded: 0,
          failed: 0,
          retried: 0,
          cancelled: 0,
        })),
      };
      byType.set(typeId, health);
    }
    return health;
  };
  for (const row of queue.rows) {
    Object.assign(entry(row.type_id), {
      due: Number(row.due),
      scheduled: Number(row.scheduled),
      retrying: Number(row.retrying),
      waiting: Number(row.waiting),
      oldestDueReadyAt: row.oldest ? new Date(row.oldest) : null,
    });
  }
  for (const row of running.rows) Object.assign(entry(row.type_id), { running: Number(row.running), pickupMs: row.pickup_ms === null ? null : Number(row.pickup_ms) });
  for (const row of stats.rows) {
    const slot = entry(row.type_id).lastHour[buckets - 1 - Math.min(buckets - 1, Math.max(0, row.bucket))]!;
    slot.succeeded += Number(row.succeeded);
    slot.failed += Number(row.failed);
    slot.retried += Number(row.retried);
    slot.cancelled += Number(row.cancelled);
  }
  return { now, types: [...byType.values()].sort((a, b) => a.typeId - b.typeId) };
}
