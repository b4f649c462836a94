import type { JobbyDatabase, JobState } from '@jobby/core';
import { query, type AdminTables } from './tables.js';

/**
 * One job for the detail page: the row without its payloads, each payload as pretty text cut at
 * `previewBytes` (the rest is a download), the first attempt's start (queue delay is ready → first
 * start), and up to `neighbourLimit` dependencies and dependents with their totals.
 */

export interface JobDetailRow {
  id: string;
  type_id: number;
  key: string;
  state: JobState;
  priority: number;
  run_at: Date;
  attempts: number;
  max_attempts: number;
  worker_id: string | null;
  lease_expires_at: Date | null;
  pending_dependencies: number;
  dependency_count: number;
  input_bytes: number;
  output_bytes: number | null;
  last_error: unknown;
  created_at: Date;
  ready_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  expires_at: Date | null;
  retention_seconds: number | null;
  first_started_at: Date | null;
  database_now: Date;
  input_text_bytes: number;
  input_preview: string;
  output_text_bytes: number | null;
  output_preview: string | null;
}

export interface NeighbourRow {
  direction: 'dependency' | 'dependent';
  id: string;
  type_id: number;
  key: string;
  state: JobState;
  total: number;
}

export async function jobDetail(
  environment: { pool: JobbyDatabase['pool']; tables: AdminTables },
  params: { jobId: string; previewBytes: number; neighbourLimit: number },
): Promise<{ job: JobDetailRow; neighbours: NeighbourRow[] } | undefined> {
  const { pool, tables } = environment;
  const [jobs, neighbours] = await Promise.all([
    query<JobDetailRow>(
      pool,
      `select j.id::text, j.type_id, j.key, j.state, j.priority, j.run_at, j.attempts, j.max_attempts, j.worker_id, j.lease_expires_at,
              j.pending_dependencies, j.dependency_count, j.input_bytes, j.output_bytes, j.last_error, j.created_at, j.ready_at,
              j.started_at, j.finished_at, j.expires_at, j.retention_seconds, now() as database_now,
              -- the first start since the job last became ready (a retry makes it ready again)
              (select min(a.started_at) from ${tables.jobAttempts} a where a.job_id = j.id and a.started_at >= j.ready_at) as first_started_at,
              p.input_text_bytes, p.input_preview, p.output_text_bytes, p.output_preview
       from ${tables.jobs} j
       cross join lateral (
         select octet_length(j.input::text) as input_text_bytes,
                case when octet_length(j.input::text) <= $2 then jsonb_pretty(j.input) else left(j.input::text, $2) end as input_preview,
                octet_length(j.output::text) as output_text_bytes,
                case when octet_length(j.output::text) <= $2 then jsonb_pretty(j.output) else left(j.output::text, $2) end as output_preview
       ) p
       where j.id = $1`,
      [params.jobId, params.previewBytes],
    ),
    query<NeighbourRow>(
      pool,
      `(select 'dependency' as direction, p.id::text, p.type_id, p.key, p.state, count(*) over ()::int as total
        from ${tables.jobDependencies} d join ${tables.jobs} p on p.id = d.depends_on_id
        where d.job_id = $1 order by p.id limit $2)
       union all
       (select 'dependent', c.id::text, c.type_id, c.key, c.state, count(*) over ()::int
        from ${tables.jobDependencies} d join ${tables.jobs} c on c.id = d.job_id
        where d.depends_on_id = $1 order by c.id limit $2)`,
      [params.jobId, params.neighbourLimit],
    ),
  ]);
  const job = jobs[0];
  return job ? { job, neighbours } : undefined;
}

/** The full payload as JSON text, for the download link. */
export async function jobPayload(
  environment: { pool: JobbyDatabase['pool']; tables: AdminTables },
  params: { jobId: string; which: 'input' | 'output' },
): Promise<{ found: boolean; text: string | null; key: string; typeId: number } | undefined> {
  const column = params.which === 'input' ? 'input' : 'output';
  const rows = await query<{ text: string | null; key: string; type_id: number }>(
    environment.pool,
    `select ${column}::text as text, key, type_id from ${environment.tables.jobs} where id = $1`,
    [params.jobId],
  );
  const row = rows[0];
  return row ? { found: true, text: row.text, key: row.key, typeId: row.type_id } : undefined;
}
