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
    registry.schedule(ShopJob.Report, { cron: '0 7 * * 1', timezone: 'Europe/Berlin', input: { period: 'week' } });
    registry.schedule(ShopJob.Report, {
      name: 'hourly',
      cron: '0 61 * * *',
      input: { period: 'hour' },
    });
    registry.schedule(ShopJob.Report, { name: 'mars', cron: '*/30 * * * * *', timezone: 'Mars/Olympus', input: { period: 'tick' } });
    registry.schedule(ShopJob.Order, { name: 'sweep', cron: '0 0 * * *', input: { id: 'sweep' }, catchUp: { upTo: 0 } });
  }
}

export const shopPlugin = definePlugin({ jobs: shopJobs, module: ShopModule });
