import { defineJobs, definePlugin, payload, type PluginModule } from '@jobby/core';

export enum EmailJob {
  SendVerification = 7,
}

export type Address = { email: string; name?: string };

export const emailJobs = defineJobs({
  plugin: 'email',
  enum: EmailJob,
  types: {
    SendVerification: { input: payload<{ to: Address; cc: Address[] }>(), output: payload<{ messageId: string }>(), submittable: true },
  },
});

export class EmailModule implements PluginModule<typeof emailJobs> {
  static async initialize(): Promise<EmailModule> {
    return new EmailModule();
  }

  workers(): void {}

  jobs(): void {}
}

export const plugin = definePlugin({ jobs: emailJobs, module: EmailModule });
