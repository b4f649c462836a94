import { defineJobs, definePlugin, payload, type JobRegistry, type ModuleContext, type PluginModule, type WorkerRegistry } from '@jobby/core';

export interface FetchAppListInput {
  url: string;
  /** Retry budget. */
  limit?: number;
}

export interface App {
  id: number;
  name: string;
  tags: string[];
  kind: 'game' | 'dlc' | 'tool';
  price: number | null;
}

export interface AppList {
  apps: App[];
  fetchedAt: string;
  /** A category tree: recursive. */
  categories: Category[];
}

export interface Category {
  name: string;
  children: Category[];
}

export enum Region {
  Europe = 'eu',
  America = 'us',
}

export enum SteamJob {
  FetchAppList = 0,
  ProcessAppList = 1,
  Summarize = 2,
}

export const steamJobs = defineJobs({
  plugin: 'steam',
  enum: SteamJob,
  types: {
    FetchAppList: { input: payload<FetchAppListInput>(), output: payload<AppList>() },
    ProcessAppList: {
      input: payload<{ minId?: number; region: Region }>(),
      output: payload<{ processed: number }>(),
      submittable: true,
      description: 'Processes the fetched app list.',
    },
    Summarize: {
      input: payload<{ counts: Record<string, number>; pair: [string, number]; flags?: boolean[] }>(),
    },
  },
});

export class SteamModule implements PluginModule<typeof steamJobs> {
  static initialize(_context: ModuleContext): SteamModule {
    return new SteamModule();
  }

  workers(_registry: WorkerRegistry<typeof steamJobs>): void {}

  jobs(_registry: JobRegistry<typeof steamJobs>): void {}
}

export const steamPlugin = definePlugin({ jobs: steamJobs, module: SteamModule });
