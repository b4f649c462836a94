import type { JsonValue } from '../contract/json.js';
import { JobbyError } from '../errors.js';
import { isJobState, type RowResult, type StoredAttempt, type StoredError, type StoredJob } from './job.js';

/**
 * Storage rows → domain jobs, explicitly and row by row (the seed's `QueryJob` → `Job`). A row that
 * cannot be mapped yields an error value naming the row and the column; the other rows still map.
 */

/** A row of the job_snapshots view (src/store/sql/job-snapshots.sql): a whole job. */
export interface JobRow {
  id: string;
  type_id: number;
  key: string;
  state: string | null;
  priority: number;
  run_at: Date;
  attempts: number;
  max_attempts: number;
  attempt_token: string | null;
  worker_id: string | null;
  lease_expires_at: Date | null;
  pending_dependencies: number;
  dependency_count: number;
  input: unknown;
  input_bytes: number;
  output: unknown;
  output_bytes: number | null;
  last_error: unknown;
  created_at: Date;
  ready_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  retention_seconds: number | null;
  expires_at: Date | null;
}

/** An attempt that did not succeed: a job_outcomes row, with its worker's id. */
export interface JobAttemptRow {
  id: string;
  job_id: string;
  attempt: number;
  worker_id: string | null;
  started_at: Date | null;
  finished_at: Date;
  outcome: string;
  error: unknown;
}

function malformed(id: string | null, column: string, problem: string): RowResult<never> {
  return {
    ok: false,
    id,
    error: new JobbyError('ROW_MALFORMED', `job ${id ?? '(no id)'}: column ${column} ${problem}`, { details: { jobId: id, column } }),
  };
}

function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Reads a stored error; anything else (legacy text, garbage) becomes a readable error value. */
export function toStoredError(value: unknown): StoredError | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    return {
      code: typeof record.code === 'string' ? record.code : 'UNKNOWN',
      message: typeof record.message === 'string' ? record.message : JSON.stringify(value),
      ...(typeof record.stack === 'string' ? { stack: record.stack } : {}),
      ...(record.details && typeof record.details === 'object' ? { details: record.details as Record<string, unknown> } : {}),
    };
  }
  return { code: 'UNKNOWN', message: typeof value === 'string' ? value : JSON.stringify(value) };
}

export function mapJobRow(row: Partial<JobRow>): RowResult<StoredJob> {
  const id = row.id === undefined || row.id === null ? null : String(row.id);
  if (id === null) return malformed(null, 'id', 'is missing');
  if (typeof row.type_id !== 'number') return malformed(id, 'type_id', 'is not an integer');
  if (typeof row.key !== 'string') return malformed(id, 'key', 'is not text');
  if (!isJobState(row.state)) return malformed(id, 'state', `has unknown value ${JSON.stringify(row.state)}`);
  if (row.input === undefined) return malformed(id, 'input', 'is missing');
  const runAt = toDate(row.run_at);
  const createdAt = toDate(row.created_at);
  if (!runAt) return malformed(id, 'run_at', 'is not a timestamp');
  if (!createdAt) return malformed(id, 'created_at', 'is not a timestamp');
  return {
    ok: true,
    value: {
      id,
      typeId: row.type_id,
      key: row.key,
      state: row.state,
      priority: row.priority ?? 0,
      runAt,
      attempts: row.attempts ?? 0,
      maxAttempts: row.max_attempts ?? 1,
      attemptToken: row.attempt_token === null || row.attempt_token === undefined ? null : String(row.attempt_token),
      workerId: row.worker_id ?? null,
      leaseExpiresAt: toDate(row.lease_expires_at),
      pendingDependencies: row.pending_dependencies ?? 0,
      dependencyCount: row.dependency_count ?? 0,
      input: row.input as JsonValue,
      inputBytes: row.input_bytes ?? 0,
      output: (row.output ?? null) as JsonValue | null,
      outputBytes: row.output_bytes ?? null,
      lastError: toStoredError(row.last_error),
      createdAt,
      readyAt: toDate(row.ready_at),
      startedAt: toDate(row.started_at),
      finishedAt: toDate(row.finished_at),
      retentionSeconds: row.retention_seconds ?? null,
      expiresAt: toDate(row.expires_at),
    },
  };
}

export function mapAttemptRow(row: JobAttemptRow): StoredAttempt {
  return {
    id: String(row.id),
    jobId: String(row.job_id),
    attempt: row.attempt,
    workerId: row.worker_id,
    startedAt: toDate(row.started_at),
    finishedAt: toDate(row.finished_at) ?? new Date(0),
    outcome: row.outcome as StoredAttempt['outcome'],
    error: toStoredError(row.error),
  };
}
