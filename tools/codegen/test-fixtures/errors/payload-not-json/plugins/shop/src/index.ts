import { defineJobs, definePlugin, payload, type PluginModule } from '@jobby/core';

export class Customer {
  constructor(readonly name: string) {}
}

export interface OrderInput {
  placedAt: Date;
  customer: Customer;
  total: bigint;
  tag: symbol;
  onDone: () => void;
}

export enum ShopJob {
  Order = 0,
}

export const shopJobs = defineJobs({
  plugin: 'shop',
  enum: ShopJob,
  types: {
    Order: { input: payload<OrderInput>(), output: payload<{ receipt: Map<string, number> }>() },
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
