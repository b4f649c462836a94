import { sql } from 'kysely';
import type { WorkerRecord } from '../store/worker-heartbeat.js';
import type { AdminContext } from './admin-context.js';

/**
 * The workers table and the job types the database knows, for the overview: both small tables,
 * read whole (workers: the ones seen in the last day, at most `limit`, live ones first).
 */

/** A registered worker (the store's WorkerRecord: its metadata is what the process registered about itself, its workers' settings under `workers`). */
export interface AdminWorker extends WorkerRecord {
  /** Not stopped, and a heartbeat within the last `aliveSeconds`. */
  alive: boolean;
}

export interface WorkerListParams {
  /** Workers seen within this many seconds. Default one day. */
  withinSeconds?: number;
  /** A heartbeat this recent makes a worker alive. Default 60. */
  aliveSeconds?: number;
  /** Default 200. */
  limit?: number;
}

export async function workerList(context: AdminContext, params: WorkerListParams = {}): Promise<AdminWorker[]> {
  const { rows } = await sql<{
    id: string; hostname: string; pid: number; job_type_ids: number[]; concurrency: number; started_at: Date;
    last_heartbeat_at: Date; stopped_at: Date | null; metadata: Record<string, unknown> | null; alive: boolean;
  }>`
    select id, hostname, pid, job_type_ids, concurrency, started_at, last_heartbeat_at, stopped_at, metadata,
           (stopped_at is null and last_heartbeat_at > now() - make_interval(secs => ${params.aliveSeconds ?? 60})) as alive
    from ${context.tables.workers}
    where last_heartbeat_at > now() - make_interval(secs => ${params.withinSeconds ?? 86_400})
    order by (stopped_at is null) desc, last_heartbeat_at desc
    limit ${params.limit ?? 200}`.execute(context.db);
  return rows.map((row) => ({
    id: row.id,
    hostname: row.hostname,
    pid: row.pid,
    jobTypeIds: row.job_type_ids,
    concurrency: row.concurrency,
    startedAt: row.started_at,
    lastHeartbeatAt: row.last_heartbeat_at,
    stoppedAt: row.stopped_at,
    metadata: row.metadata ?? {},
    alive: row.alive,
  }));
}

/** Every job type id the database has seen, with its name. */
export async function jobTypeList(context: AdminContext): Promise<{ id: number; name: string }[]> {
  const { rows } = await sql<{ id: number; name: string }>`select id, name from ${context.tables.jobTypes} order by id`.execute(context.db);
  return rows;
}

/** The database clock. */
export async function databaseNow(context: AdminContext): Promise<Date> {
  const { rows } = await sql<{ now: Date }>`select now() as now`.execute(context.db);
  return rows[0]!.now;
}
