import type { JobSnapshot, JobState, StoredAttempt, StoredError } from '@jobby/core';

/**
 * The `--json` contract of `jobby jobs list` and `jobby jobs show` (documented in the README).
 * Field names are public API: add fields, never rename or remove one. Times are ISO 8601 strings
 * (UTC) or null; durations are milliseconds.
 */

/** One job in `jobby jobs list --json`. */
export interface JobSummaryJson {
  /** The job's database id (a decimal string: ids are 64-bit). */
  id: string;
  /** `plugin.Job`. */
  type: string;
  key: string;
  state: JobState;
  /** Attempts started so far. */
  attempts: number;
  maxAttempts: number;
  priority: number;
  createdAt: string;
  finishedAt: string | null;
  /** The error of the latest failed attempt, or why it was cancelled. */
  lastError: StoredError | null;
}

export interface JobEdgeJson {
  type: string;
  key: string;
  state: JobState;
}

export interface AttemptJson {
  attempt: number;
  outcome: StoredAttempt['outcome'];
  workerId: string | null;
  startedAt: string | null;
  finishedAt: string;
  error: StoredError | null;
}

/** `jobby jobs show --json`: the summary plus payloads, timings, attempt history and edges. */
export interface JobDetailJson extends JobSummaryJson {
  input: unknown;
  output: unknown;
  inputBytes: number;
  outputBytes: number | null;
  workerId: string | null;
  timings: {
    createdAt: string;
    /** When the job became runnable (its dependencies succeeded). */
    readyAt: string | null;
    /** Earliest time to run (run-at or retry backoff). */
    runAt: string;
    startedAt: string | null;
    finishedAt: string | null;
    /** From runnable (ready, or run-at if later) to the start of the latest attempt. */
    queueDelayMs: number | null;
    /** Duration of the latest attempt (finished jobs only). */
    runTimeMs: number | null;
  };
  /** Attempts that ended without success, oldest first (the successful one is the job itself). */
  attemptHistory: AttemptJson[];
  dependencies: JobEdgeJson[];
  dependents: JobEdgeJson[];
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** The fields a summary is made of: a client snapshot, or a stored row with its type's name. */
export type JobSummarySource = Pick<JobSnapshot, 'id' | 'key' | 'state' | 'attempts' | 'maxAttempts' | 'priority' | 'createdAt' | 'finishedAt' | 'lastError'>;

export function jobSummaryJson(job: JobSummarySource, type: string): JobSummaryJson {
  return {
    id: job.id,
    type,
    key: job.key,
    state: job.state,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    priority: job.priority,
    createdAt: job.createdAt.toISOString(),
    finishedAt: iso(job.finishedAt),
    lastError: job.lastError,
  };
}

export function jobDetailJson(job: JobSnapshot, attempts: readonly StoredAttempt[], edges: { dependencies: JobEdgeJson[]; dependents: JobEdgeJson[] }): JobDetailJson {
  const ready = job.readyAt ?? job.createdAt;
  const runnableAt = job.runAt > ready ? job.runAt : ready;
  return {
    ...jobSummaryJson(job, job.type),
    input: job.input,
    output: job.output,
    inputBytes: job.inputBytes,
    outputBytes: job.outputBytes,
    workerId: job.workerId,
    timings: {
      createdAt: job.createdAt.toISOString(),
      readyAt: iso(job.readyAt),
      runAt: job.runAt.toISOString(),
      startedAt: iso(job.startedAt),
      finishedAt: iso(job.finishedAt),
      queueDelayMs: job.startedAt ? Math.max(0, job.startedAt.getTime() - runnableAt.getTime()) : null,
      runTimeMs: job.startedAt && job.finishedAt && job.state !== 'cancelled' ? job.finishedAt.getTime() - job.startedAt.getTime() : null,
    },
    attemptHistory: attempts.map((attempt) => ({
      attempt: attempt.attempt,
      outcome: attempt.outcome,
      workerId: attempt.workerId,
      startedAt: iso(attempt.startedAt),
      finishedAt: attempt.finishedAt.toISOString(),
      error: attempt.error,
    })),
    dependencies: edges.dependencies,
    dependents: edges.dependents,
  };
}
