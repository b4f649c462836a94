import type { JobStore } from '../store/job-store.js';
import type { JobbyRegistry } from './registry.js';

/**
 * Orphaned job types: ids the database knows (its job_types table remembers every id any registry
 * used) that the running registry no longer has, because a plugin or a job type was removed. Their
 * unfinished jobs will never run, and nothing said so: the worker program now warns at start,
 * naming them, and `jobby jobs show|cancel` reach them by the name jobby.lock.json keeps.
 * Read through the store's existing operations (job types, job list), no SQL of its own.
 */

export interface OrphanedJobType {
  readonly id: number;
  /** `plugin.Job`, as the database recorded it (the name jobby.lock.json keeps as a tombstone). */
  readonly name: string;
  /** Queued, waiting or running jobs of this type (counted up to {@link orphanCountLimit} in all). */
  readonly unfinished: number;
}

export const orphanCountLimit = 1000;

/**
 * The job types with unfinished jobs that no worker of this registry can run.
 *
 * @example
 * ```ts
 * for (const type of await findOrphanedJobTypes(store, registry)) logger.warn(type, 'orphaned jobs');
 * ```
 * @internal It reads through the internal store.
 */
export async function findOrphanedJobTypes(store: Pick<JobStore, 'jobTypeList' | 'jobList'>, registry: JobbyRegistry): Promise<OrphanedJobType[]> {
  const gone = (await store.jobTypeList()).filter((type) => !registry.byId(type.id));
  if (gone.length === 0) return [];
  const jobs = await store.jobList({ typeIds: gone.map((type) => type.id), states: ['queued', 'waiting', 'running'], limit: orphanCountLimit });
  const counts = new Map<number, number>();
  for (const job of jobs) if (job.ok) counts.set(job.value.typeId, (counts.get(job.value.typeId) ?? 0) + 1);
  return gone.filter((type) => counts.has(type.id)).map((type) => ({ id: type.id, name: type.name, unfinished: counts.get(type.id)! }));
}

/** The worker's warning about orphaned job types, one line. */
export function describeOrphanedJobTypes(orphaned: readonly OrphanedJobType[]): string {
  const total = orphaned.reduce((sum, type) => sum + type.unfinished, 0);
  const first = orphaned[0]!.name;
  return (
    `${total}${total >= orphanCountLimit ? '+' : ''} unfinished job(s) of job types no longer in the registry will never run: ` +
    `${orphaned.map((type) => `${type.name} (id ${type.id}): ${type.unfinished}`).join(', ')}. ` +
    `See them with \`jobby jobs list --type ${first}\`, cancel them with \`jobby jobs cancel ${first} <key>\`, or bring the job type back`
  );
}
