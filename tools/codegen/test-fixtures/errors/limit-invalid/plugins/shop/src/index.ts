import { defineJobs, definePlugin, payload, type JobRegistry, type PluginModule, type WorkerRegistry } from '@jobby/core';

export enum ShopJob {
  Order = 0,
  Report = 1,
}

export const shopJobs = defineJobs({
  plugin: 'shop',
  enum: ShopJob,
  types: {
    Order: { input: payload<{ id: string }>() },
    Report: { input: payload<{ period: string }>() },
  },
});

export class ShopModule implements PluginModule<typeof shopJobs> {
  static initialize(): ShopModule {
    return new ShopModule();
  }

  workers(registry: WorkerRegistry<typeof shopJobs>): void {
    registry.register(ShopJob.Order, 'order', () => null);
    registry.register(ShopJob.Report, 'report', () => null);
  }

  jobs(registry: JobRegistry<typeof shopJobs>): void {
    registry.limit(ShopJob.Report, { concurrency: 2, rate: { limit: 10, intervalMs: 1_000 } });
    registry.limit(ShopJob.Order, {
      concurrency: 0,
      rate: { limit: 5, intervalMs: 90_000_000 },
      group: { concurrency: 1.5 },
    });
    registry.limit(ShopJob.Report, { rate: { limit: 3 } });
  }
}

export const shopPlugin = definePlugin({ jobs: shopJobs, module: ShopModule });
