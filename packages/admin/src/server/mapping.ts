import type { JobLink, JobStateName, JobSummary } from '../shared/api-types.js';
import { typeName, type AdminContext } from './context.js';
import type { JobSummaryRow } from './queries/job-list.js';

/** Storage rows → API shapes, explicitly and per row. */

export const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);

export const durationMs = (from: Date | null | undefined, to: Date | null | undefined): number | null =>
  from && to ? Math.max(0, to.getTime() - from.getTime()) : null;

export function toJobSummary(context: Pick<AdminContext, 'registry'>, row: JobSummaryRow, now: Date): JobSummary {
  return {
    id: String(row.id),
    typeId: row.type_id,
    type: typeName(context, row.type_id),
    key: row.key,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    priority: row.priority,
    runAt: row.run_at.toISOString(),
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    runMs: row.state === 'running' ? durationMs(row.started_at, now) : durationMs(row.started_at, row.finished_at),
    inputBytes: row.input_bytes,
    outputBytes: row.output_bytes,
    workerId: row.worker_id,
    pendingDependencies: row.pending_dependencies,
    dependencyCount: row.dependency_count,
    error: row.error_message !== null || row.error_code !== null ? { code: row.error_code, message: row.error_message ?? '' } : null,
  };
}

export function toJobLink(context: Pick<AdminContext, 'registry'>, row: { id: string; type_id: number; key: string; state: JobStateName }): JobLink {
  return { id: String(row.id), type: typeName(context, row.type_id), key: row.key, state: row.state };
}
