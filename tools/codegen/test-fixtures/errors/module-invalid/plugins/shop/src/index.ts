import { defineJobs, definePlugin, payload, type PluginDefinition } from '@jobby/core';

export enum ShopJob {
  Order = 0,
}

export const shopJobs = defineJobs({
  plugin: 'shop',
  enum: ShopJob,
  types: {
    Order: { input: payload<{ id: string }>() },
  },
});

/** Lacks a static initialize and a jobs() method (as a package built against an older core might). */
export class ShopModule {
  workers(): void {}
}

// @ts-expect-error ShopModule does not implement the module interface; codegen must say so
export const shopPlugin = definePlugin({ jobs: shopJobs, module: ShopModule }) as unknown as PluginDefinition<typeof shopJobs, typeof ShopModule>;
