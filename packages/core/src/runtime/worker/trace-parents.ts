import type { JobStore } from '../../store/job-store.js';

/**
 * The stored trace contexts of claimed jobs, read once per claimed batch: the dispatcher starts a
 * batch's attempts in one turn of the event loop, so the ids asked for in that turn go to the
 * database in one query (at the next microtask). Used only while a tracer records spans
 * (runtime/tracing.ts). A failed read costs the trace its parent, never the job its run.
 *
 * @internal
 */

type Load = (jobId: string) => Promise<string | undefined>;

const loaders = new WeakMap<JobStore, Load>();

/**
 * The loader of `store` (one per store).
 *
 * @example
 * ```ts
 * const traceParent = await traceParentLoader(store)(job.id); // '00-…-…-01' or undefined
 * ```
 */
export function traceParentLoader(store: JobStore): Load {
  let load = loaders.get(store);
  if (!load) {
    load = batchedLoader(store);
    loaders.set(store, load);
  }
  return load;
}

function batchedLoader(store: JobStore): Load {
  let batch: { ids: string[]; found: Promise<Map<string, string>> } | undefined;
  return (jobId) => {
    if (!batch) {
      const ids: string[] = [];
      const found = Promise.resolve().then(() => {
        batch = undefined;
        return store.jobTraceParents(ids).catch(() => new Map<string, string>());
      });
      batch = { ids, found };
    }
    batch.ids.push(jobId);
    return batch.found.then((map) => map.get(jobId));
  };
}
