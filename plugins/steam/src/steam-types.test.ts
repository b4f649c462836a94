import { defineExternalJob, payload, type JobbyClient, type JobContext, type JobRegistry } from '@jobby/core';
import { describe, expectTypeOf, it } from 'vitest';
import { SteamJob, steamJobs, type FetchAppListOutput } from './index.js';

/**
 * Type tests in a plugin's own build, where the generated job types are not visible: other
 * plugins' jobs by name do not compile (they were `unknown`, or any string), handles do. Checked
 * by `npm run typecheck`; each `@ts-expect-error` fails the build if the line below it compiles.
 */

declare const jobs: JobRegistry<typeof steamJobs>;
declare const context: JobContext<unknown>;
declare const client: JobbyClient;

describe('steam, typed inside its own build', () => {
  it('names jobs by enum value or handle only', () => {
    const compileOnly = async () => {
      // @ts-expect-error another plugin's output by name was `unknown`
      context.dependencyOutput('email.SendVerificationEmail');
      expectTypeOf(context.dependencyOutput(steamJobs.refs.FetchAppList)).toEqualTypeOf<FetchAppListOutput>();
      const delivery = defineExternalJob({ name: 'email.SendVerificationEmail', output: payload<{ messageId: string }>() });
      expectTypeOf(context.dependencyOutput(delivery)).toEqualTypeOf<{ messageId: string }>();
      // @ts-expect-error a dependency on a job type that does not exist
      jobs.submit(SteamJob.ProcessAppList, 'k', {}).dependsOn('billing.Nope', 'k');
      // @ts-expect-error a number that is not a value of SteamJob
      jobs.submit(SteamJob.ProcessAppList, 'k', {}).dependsOn(7, 'k');
      jobs.submit(SteamJob.ProcessAppList, 'k', {}).dependsOn(SteamJob.FetchAppList, 'k').dependsOn(delivery, 'k');
      // @ts-expect-error submitMany's input is checked (it was unknown)
      await client.submitMany([{ type: steamJobs.refs.FetchAppList, key: 'k', input: { url: 1 } }]);
      // @ts-expect-error a name, where no generated job types are visible
      await client.submit('steam.FetchAppList', 'k', {});
    };
    expectTypeOf(compileOnly).toBeFunction();
  });
});
