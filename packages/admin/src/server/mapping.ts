import type { JobSummary as StoredJobSummary, JobLink as StoredJobLink } from '@jobby/core/admin';
import type { JobLink, JobSummary } from '../shared/api-types.js';
import { typeName, type AdminContext } from './context.js';

/** Core's admin reads → API shapes, explicitly and per row. */

export const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);

export const durationMs = (from: Date | null | undefined, to: Date | null | undefined): number | null =>
  from && to ? Math.max(0, to.getTime() - from.getTime()) : null;

export function toJobSummary(context: Pick<AdminContext, 'registry'>, job: StoredJobSummary, now: Date): JobSummary {
  return {
    id: job.id,
    typeId: job.typeId,
    type: typeName(context, job.typeId),
    key: job.key,
    state: job.state,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    priority: job.priority,
    runAt: job.runAt.toISOString(),
    createdAt: job.createdAt.toISOString(),
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
    runMs: job.state === 'running' ? durationMs(job.startedAt, now) : durationMs(job.startedAt, job.finishedAt),
    inputBytes: job.inputBytes,
    outputBytes: job.outputBytes,
    workerId: job.workerId,
    pendingDependencies: job.pendingDependencies,
    dependencyCount: job.dependencyCount,
    error: job.error ? { code: job.error.code, message: job.error.message } : null,
  };
}

export function toJobLink(context: Pick<AdminContext, 'registry'>, job: StoredJobLink): JobLink {
  return { id: job.id, type: typeName(context, job.typeId), key: job.key, state: job.state };
}
