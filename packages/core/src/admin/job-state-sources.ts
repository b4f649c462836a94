import { sql, type RawBuilder } from 'kysely';
import type { JobState } from '../store/job.js';
import type { AdminContext } from './admin-context.js';

/**
 * Where each state lives (migrations/0001_store_v2.sql): queued and waiting jobs in job_queue,
 * running ones in job_running, finished ones as their latest final outcome in job_outcomes. A
 * final outcome stops being a job's state when the job runs again (a person's retry or re-run
 * puts it back in the queue, and its next run appends a later outcome): `currentOutcome` keeps
 * only outcomes that are still a job's state, with two primary-key probes of the hot tables and
 * one probe of job_outcomes_job_idx per row. @internal
 */

export const finishedStates = ['succeeded', 'failed', 'cancelled'] as const;
export type FinishedState = (typeof finishedStates)[number];

/** The job_outcome values that make each finished state. */
const outcomesOf: Record<FinishedState, readonly string[]> = {
  succeeded: ['succeeded'],
  failed: ['failed', 'timed_out', 'lease_expired'],
  cancelled: ['cancelled'],
};

/**
 * `o.final and o.outcome in (…)` for some finished states, as literals (so that the planner can
 * prove a partial index's predicate). Without succeeded it also says `o.outcome <> 'succeeded'`,
 * the predicate of job_outcomes_failed_idx and job_outcomes_unsuccessful_idx.
 */
export function finalOutcomeIn(states: readonly FinishedState[], alias = 'o'): RawBuilder<unknown> {
  const outcomes = states.flatMap((state) => outcomesOf[state]);
  const unsuccessful = !states.includes('succeeded') ? ` and ${alias}.outcome <> 'succeeded'` : '';
  // Every final outcome is one of these (handed_back never ends a job).
  if (states.length === finishedStates.length) return sql.raw(`${alias}.final`);
  return sql.raw(`${alias}.final and ${alias}.outcome in (${outcomes.map((outcome) => `'${outcome}'`).join(', ')})${unsuccessful}`);
}

/**
 * The outcome row `o` is its job's state now: the job is not live and has no later outcome.
 *
 * `offset 0` keeps each NOT EXISTS a filter probed per row instead of an anti-join: as joins,
 * the planner guessed that the row comparison leaves almost nothing, gave up on reading the index
 * in order under the LIMIT, and sorted every candidate (132 ms for 3,000 cancelled jobs at
 * 100,000, growing with history; 0.9 ms as filters, which read about a page).
 */
export function currentOutcome(context: AdminContext, alias = 'o'): RawBuilder<unknown> {
  const { tables } = context;
  const o = sql.raw(alias);
  return sql`not exists (select 1 from ${tables.jobQueue} q where q.job_id = ${o}.job_id offset 0)
    and not exists (select 1 from ${tables.jobRunning} r where r.job_id = ${o}.job_id offset 0)
    and not exists (select 1 from ${tables.jobOutcomes} l where l.job_id = ${o}.job_id and (l.finished_at, l.attempt) > (${o}.finished_at, ${o}.attempt) offset 0)`;
}

export function splitStates(states: readonly JobState[] | undefined): { live: JobState[]; finished: FinishedState[] } {
  const all = states?.length ? states : (['queued', 'waiting', 'running', ...finishedStates] as JobState[]);
  return {
    live: all.filter((state) => state === 'queued' || state === 'waiting' || state === 'running'),
    finished: finishedStates.filter((state) => all.includes(state)),
  };
}
