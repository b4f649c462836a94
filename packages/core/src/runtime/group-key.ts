import { describeError, JobbyError } from '../errors.js';
import { jobKeyProblem } from '../store/job-key.js';
import type { RegisteredJobType } from './registry.js';

/**
 * Per-key groups (issue 19): the group of a job, computed at submit time by the client from the
 * typed input with the job type's `groupKeys` function (`defineJobs`), and stored with the job. The
 * claim then runs at most the type's group limit of one group's jobs at once. Computed by every
 * submitter (the client, the CLI, the admin API, a worker's handlers and schedules), because only
 * the job type's declaration travels with the registry to all of them.
 */

/**
 * The group key of a job of `type` with `input` (already validated), or undefined when the type
 * has no group key function.
 *
 * @throws JobbyError `GROUP_KEY_INVALID` when the function throws or returns anything but a string
 *   that could be a job key (1–512 UTF-16 units, no NUL, no lone surrogate).
 * @example
 * ```ts
 * groupKeyOf(registry.require('shop.Import'), { tenantId: 't1', file: 'a.csv' }, 'shop.Import:a'); // 't1'
 * ```
 */
export function groupKeyOf(type: RegisteredJobType, input: unknown, job: string): string | undefined {
  const groupKey = type.plugin.definition.jobs.groupKeys?.[type.name];
  if (!groupKey) return undefined;
  let key: unknown;
  try {
    key = groupKey(input);
  } catch (error) {
    throw new JobbyError('GROUP_KEY_INVALID', `the group key function of ${type.fullName} threw for ${job}: ${describeError(error)}`, {
      cause: error,
      details: { type: type.fullName },
    });
  }
  const problem = jobKeyProblem(key);
  if (problem) {
    const shown = typeof key === 'string' ? JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key) : key === null ? 'null' : typeof key;
    throw new JobbyError('GROUP_KEY_INVALID', `the group key function of ${type.fullName} returned ${shown} for ${job}: a group key ${problem}`, {
      details: { type: type.fullName },
    });
  }
  return key as string;
}

/**
 * Refuses a group limit for a job type without a group key (its jobs have no group: the limit
 * would hold nothing back), naming what to declare.
 *
 * @example
 * ```ts
 * assertGroupable(registry.require('shop.Import')); // throws INVALID_ARGUMENT unless defineJobs gives it a groupKeys entry
 * ```
 */
export function assertGroupable(type: RegisteredJobType): void {
  if (!type.plugin.definition.jobs.groupKeys?.[type.name]) {
    throw new JobbyError('INVALID_ARGUMENT', `${type.fullName} has no group key, so a limit per group would hold nothing back: give it one in defineJobs({ groupKeys: { ${type.name}: (input) => … } })`);
  }
}
