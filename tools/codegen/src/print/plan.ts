/**
 * What the printers share: the verified plugins in client-id order, with the ids assigned and the
 * local name under which each plugin's definition is imported.
 */
import type { IdAssignment } from '../model/assign-ids.js';
import type { CodegenModel, JobTypeModel, PluginModel } from '../model/model.js';
import { identifier } from './header.js';

export interface PrintedJobType {
  readonly jobType: JobTypeModel;
  readonly id: number;
  readonly localId: number;
}

export interface PrintedPlugin {
  readonly plugin: PluginModel;
  readonly clientId: number;
  /** The local name of the imported definition in registry.ts. */
  readonly importName: string;
  /** Sorted by id. */
  readonly jobTypes: readonly PrintedJobType[];
}

/** Orders plugins by client id and job types by id; gives clashing export names a plugin suffix. */
export function planOutput(model: CodegenModel, ids: IdAssignment): PrintedPlugin[] {
  const plugins = model.plugins
    .map((plugin) => ({ plugin, clientId: ids.clientIds.get(plugin.name)! }))
    .sort((a, b) => a.clientId - b.clientId);
  const exportCounts = new Map<string, number>();
  for (const { plugin } of plugins) exportCounts.set(plugin.exportName, (exportCounts.get(plugin.exportName) ?? 0) + 1);
  return plugins.map(({ plugin, clientId }) => ({
    plugin,
    clientId,
    importName: exportCounts.get(plugin.exportName)! > 1 ? identifier(`${plugin.exportName}_${plugin.name}`) : plugin.exportName,
    jobTypes: plugin.jobTypes
      .filter((jobType) => jobType.member?.value !== undefined && ids.jobIds.has(jobType.fullName))
      .map((jobType) => ({ jobType, id: ids.jobIds.get(jobType.fullName)!, localId: jobType.member!.value! }))
      .sort((a, b) => a.id - b.id),
  }));
}
