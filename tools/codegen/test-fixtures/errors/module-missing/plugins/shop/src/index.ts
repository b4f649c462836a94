import { defineJobs, payload } from '@jobby/core';

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

/** Hand-written without definePlugin() and without a module. */
export const shopPlugin = { kind: 'jobby.plugin', name: 'shop', jobs: shopJobs } as const;
