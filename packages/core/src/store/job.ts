import type { JsonValue } from '../contract/json.js';

/** The domain view of a stored job, mapped from a storage row (see `job-row.ts`). */

export const jobStates = ['queued', 'waiting', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof jobStates)[number];
export const finalJobStates: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];

export function isJobState(value: unknown): value is JobState {
  return typeof value === 'string' && (jobStates as readonly string[]).includes(value);
}

/** Job ids as Postgres returns bigints (decimal strings, no sign or leading zeros), in ascending numeric order. */
export function compareJobIds(left: string, right: string): number {
  return left.length - right.length || (left < right ? -1 : left > right ? 1 : 0);
}

/** An error as stored with a job or an attempt. */
export interface StoredError {
  code: string;
  message: string;
  stack?: string;
  details?: Record<string, unknown>;
}

export interface StoredJob {
  id: string;
  typeId: number;
  key: string;
  state: JobState;
  priority: number;
  runAt: Date;
  attempts: number;
  maxAttempts: number;
  attemptToken: string | null;
  workerId: string | null;
  leaseExpiresAt: Date | null;
  pendingDependencies: number;
  dependencyCount: number;
  input: JsonValue;
  inputBytes: number;
  output: JsonValue | null;
  outputBytes: number | null;
  lastError: StoredError | null;
  createdAt: Date;
  readyAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  retentionSeconds: number | null;
  expiresAt: Date | null;
}

/** One attempt that ended without success (the latest successful one is on the job row). */
export interface StoredAttempt {
  id: string;
  jobId: string;
  attempt: number;
  workerId: string | null;
  startedAt: Date | null;
  finishedAt: Date;
  outcome: 'failed' | 'timed_out' | 'lease_expired' | 'cancelled' | 'handed_back';
  error: StoredError | null;
}

/** A job identified the way people and plugins name it. */
export interface JobReference {
  typeId: number;
  key: string;
}

/** Per-row outcome of reading: one bad row never fails the batch. */
export type RowResult<T> = { ok: true; value: T } | { ok: false; id: string | null; error: import('../errors.js').JobbyError };
