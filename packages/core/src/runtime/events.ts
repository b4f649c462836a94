import { EventEmitter } from 'node:events';
import type { StoredError } from '../store/job.js';
import type { AbortCause } from './worker/job-runner.js';

/** Events a worker emits (`noun:verb`). Listeners must not throw; their errors are ignored. */
export interface WorkerEvents {
  'worker:ready': [{ workerId: string; jobTypes: string[] }];
  'worker:stopping': [{ workerId: string }];
  'worker:stopped': [{ workerId: string; handedBack: number }];
  /** A transient problem (database down, notification connection lost); the worker keeps going. */
  'worker:error': [{ workerId: string; error: unknown; during: string }];
  'job:start': [{ id: string; type: string; key: string; attempt: number }];
  'job:success': [{ id: string; type: string; key: string; attempt: number; durationMs: number }];
  'job:failure': [{ id: string; type: string; key: string; attempt: number; durationMs: number; error: StoredError; willRetry: boolean }];
  /** A completion the database refused because the attempt had lost its lease. */
  'job:stale': [{ id: string; type: string; key: string }];
  /**
   * A handler still running a second after its abort (it ignores its AbortSignal). The job's
   * outcome is recorded; the handler keeps its slot until it settles (`job:abandoned-settled`).
   */
  'job:abandoned': [{ id: string; type: string; key: string; attempt: number; cause: AbortCause }];
  'job:abandoned-settled': [{ id: string; type: string; key: string; attempt: number; cause: AbortCause; runMs: number }];
}

export class WorkerEventEmitter extends EventEmitter<WorkerEvents> {}
