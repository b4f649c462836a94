import { sql } from 'kysely';
import type { StoreContext } from './store-context.js';

/** Live workers: each running process upserts its row and renews `last_heartbeat_at`. */

export interface WorkerRecord {
  id: string;
  hostname: string;
  pid: number;
  jobTypeIds: number[];
  concurrency: number;
  startedAt: Date;
  lastHeartbeatAt: Date;
  stoppedAt: Date | null;
  metadata: Record<string, unknown>;
}

export async function workerRegister(
  context: StoreContext,
  worker: { id: string; hostname: string; pid: number; jobTypeIds: readonly number[]; concurrency: number; metadata?: Record<string, unknown> },
): Promise<void> {
  await sql`
    insert into ${context.tables.workers} (id, hostname, pid, job_type_ids, concurrency, metadata)
    values (${worker.id}, ${worker.hostname}, ${worker.pid}, ${sql.val(worker.jobTypeIds)}::int[], ${worker.concurrency}, ${JSON.stringify(worker.metadata ?? {})}::jsonb)
    on conflict (id) do update set last_heartbeat_at = now(), stopped_at = null, hostname = excluded.hostname, pid = excluded.pid,
      job_type_ids = excluded.job_type_ids, concurrency = excluded.concurrency, metadata = excluded.metadata`.execute(context.db);
}

export async function workerHeartbeat(context: StoreContext, workerId: string): Promise<void> {
  await sql`update ${context.tables.workers} set last_heartbeat_at = now() where id = ${workerId}`.execute(context.db);
}

export async function workerStop(context: StoreContext, workerId: string): Promise<void> {
  await sql`update ${context.tables.workers} set stopped_at = now() where id = ${workerId}`.execute(context.db);
}

/** Workers seen within `withinSeconds` (default: one day), newest heartbeat first. */
export async function workerList(context: StoreContext, params: { withinSeconds?: number } = {}): Promise<WorkerRecord[]> {
  const { rows } = await sql<{
    id: string; hostname: string; pid: number; job_type_ids: number[]; concurrency: number;
    started_at: Date; last_heartbeat_at: Date; stopped_at: Date | null; metadata: Record<string, unknown>;
  }>`
    select * from ${context.tables.workers}
    where last_heartbeat_at > now() - make_interval(secs => ${params.withinSeconds ?? 86_400})
    order by last_heartbeat_at desc`.execute(context.db);
  return rows.map((row) => ({
    id: row.id,
    hostname: row.hostname,
    pid: row.pid,
    jobTypeIds: row.job_type_ids,
    concurrency: row.concurrency,
    startedAt: row.started_at,
    lastHeartbeatAt: row.last_heartbeat_at,
    stoppedAt: row.stopped_at,
    metadata: row.metadata,
  }));
}
