import { defineJobs, definePlugin, payload, type PluginModule } from '@jobby/core';

export enum ShopJob {
  Order = 0,
  Refund,
}

export const shopJobs = defineJobs({
  plugin: 'shop',
  enum: ShopJob,
  types: {
    Order: { input: payload<{ id: string }>() },
    Refund: { input: payload<{ id: string }>() },
  },
});

export class ShopModule implements PluginModule {
  static initialize(): ShopModule {
    return new ShopModule();
  }

  workers(): void {}

  jobs(): void {}
}

export const shopPlugin = definePlugin({ jobs: shopJobs, module: ShopModule });
