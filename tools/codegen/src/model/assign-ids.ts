/**
 * Stage 2b, ids: a client id per plugin and `clientId * 1000 + localId` per job type, pinned in
 * the lock. A plugin already in the lock keeps its client id; a new plugin gets the next id above
 * every id the lock ever gave (removed plugins included), new plugins taken in name order so that
 * two machines agree. Returns the next lock: current job types, and tombstones for every job type
 * (or whole plugin) that disappeared. Whether the ids agree with the previous lock is `verify`'s
 * business.
 */
import type { CodegenModel } from './model.js';
import { localIdsPerClient, validLocalId } from './build-model.js';
import { lockFileVersion, type LockFile, type LockPlugin } from './lock-file.js';

export interface IdAssignment {
  /** Plugin name → client id. */
  readonly clientIds: ReadonlyMap<string, number>;
  /** `plugin.Job` → namespaced id (only for job types with a valid local id). */
  readonly jobIds: ReadonlyMap<string, number>;
  /** The lock to write when the run succeeds. */
  readonly lock: LockFile;
}

/** Assigns ids to the model against the previous lock. */
export function assignIds(model: CodegenModel, previous: LockFile): IdAssignment {
  const clientIds = new Map<string, number>();
  const jobIds = new Map<string, number>();
  let highest = Math.max(0, ...Object.values(previous.plugins).map((plugin) => plugin.clientId));
  const pluginNames = [...new Set(model.plugins.map((plugin) => plugin.name))].sort();
  for (const name of pluginNames) {
    const pinned = previous.plugins[name]?.clientId;
    clientIds.set(name, pinned ?? ++highest);
  }
  const plugins: Record<string, LockPlugin> = {};
  for (const plugin of model.plugins) {
    if (plugins[plugin.name]) continue; // a duplicate plugin name: verify reports it
    const clientId = clientIds.get(plugin.name)!;
    const before = previous.plugins[plugin.name];
    const jobTypes: Record<string, number> = {};
    for (const jobType of plugin.jobTypes) {
      const localId = validLocalId(jobType.member?.value);
      if (jobType.member === undefined || localId === undefined) continue;
      const id = clientId * localIdsPerClient + localId;
      jobIds.set(jobType.fullName, id);
      jobTypes[jobType.name] = id;
    }
    const tombstones: Record<string, number> = { ...before?.tombstones };
    for (const [name, id] of Object.entries(before?.jobTypes ?? {})) {
      if (!plugin.jobTypes.some((jobType) => jobType.name === name)) tombstones[name] = id;
    }
    // a job type that came back under its old name and id is alive again
    for (const [name, id] of Object.entries(jobTypes)) if (tombstones[name] === id) delete tombstones[name];
    plugins[plugin.name] = { clientId, package: plugin.package.name, jobTypes, tombstones };
  }
  for (const [name, before] of Object.entries(previous.plugins)) {
    if (plugins[name]) continue;
    plugins[name] = {
      clientId: before.clientId,
      package: before.package,
      removed: true,
      jobTypes: {},
      tombstones: { ...before.tombstones, ...before.jobTypes },
    };
  }
  return { clientIds, jobIds, lock: { version: lockFileVersion, plugins } };
}
