import type { JobStateName } from '../../shared/api-types.js';
import { formatRelative } from './format.js';

/**
 * What a queued job is waiting for, which the stored state ("queued") does not say: its run-at
 * time ("scheduled · in 3 h"), a retry's backoff ("retrying · next in 3 min"), or nothing (due).
 * A job that failed before and is due again reads "retrying · due".
 */

export type QueueKind = 'scheduled' | 'retrying';

export interface StateLabel {
  /** The class of the badge: the stored state, or the queue kind. */
  kind: JobStateName | QueueKind;
  text: string;
}

export function stateLabel(job: { state: JobStateName; attempts: number; runAt: string }, now: Date = new Date()): StateLabel {
  if (job.state !== 'queued') return { kind: job.state, text: job.state };
  const future = new Date(job.runAt).getTime() - now.getTime() > 1_000;
  if (job.attempts > 0) return { kind: 'retrying', text: future ? `retrying · next ${formatRelative(job.runAt, now)}` : 'retrying · due' };
  if (future) return { kind: 'scheduled', text: `scheduled · ${formatRelative(job.runAt, now)}` };
  return { kind: 'queued', text: 'queued' };
}
