import { defineJobs, definePlugin, payload, type JobRegistry, type ModuleContext, type PluginModule, type WorkerRegistry } from '@jobby/core';

export type Priority = 'low' | 'high';

export interface Upload {
  name: string;
  bytes: number;
  priority: Priority;
  labels?: Record<string, string>;
}

export enum PackedJob {
  Import = 3,
  Report = 10,
}

export const packedJobs = defineJobs({
  plugin: 'packed',
  enum: PackedJob,
  types: {
    Import: { input: payload<{ uploads: Upload[] }>(), output: payload<{ imported: number }>(), submittable: true, description: 'Imports uploads.' },
    Report: { input: payload<{ since: string | null }>() },
  },
});

export class PackedModule implements PluginModule<typeof packedJobs> {
  static initialize(_context: ModuleContext): PackedModule {
    return new PackedModule();
  }

  workers(_registry: WorkerRegistry<typeof packedJobs>): void {}

  jobs(_registry: JobRegistry<typeof packedJobs>): void {}
}

export const packedPlugin = definePlugin({ jobs: packedJobs, module: PackedModule });
