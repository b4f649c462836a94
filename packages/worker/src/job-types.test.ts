import { describe, expectTypeOf, it } from 'vitest';
import { defineExternalJob, payload, type JobbyClient, type JobContext, type JobTypeName } from '@jobby/core';
import type { FetchAppListOutput, ProcessAppListOutput } from '@jobby/steam';
import './index.js';

/**
 * Type tests where the generated job types ARE visible (this package imports them): every
 * `plugin.Job` name of the registry, and nothing else, with its input and output. Checked by
 * `npm run typecheck`; each `@ts-expect-error` fails the build if the line below it compiles.
 */

declare const client: JobbyClient;
declare const context: JobContext<unknown>;

describe('the generated job types', () => {
  it('name exactly the registry’s job types', () => {
    expectTypeOf<JobTypeName>().toEqualTypeOf<
      'email.SendVerificationEmail' | 'metrics.BuildWeeklyReport' | 'metrics.ProcessMetricsUpload' | 'steam.FetchAppList' | 'steam.ProcessAppList'
    >();
  });

  it('check names, inputs and outputs by name', () => {
    const compileOnly = async () => {
      await client.submit('steam.FetchAppList', 'daily', { url: 'https://example.test/apps.json' });
      // @ts-expect-error unknown job type
      await client.submit('billing.Nope', 'k', {});
      // @ts-expect-error wrong input type
      await client.submit('steam.FetchAppList', 'daily', { url: 42 });
      // @ts-expect-error missing required input field
      await client.submit('email.SendVerificationEmail', 'user-1', { address: 'a@b.c' });
      await client.submitMany([
        { type: 'steam.FetchAppList', key: 'a', input: {} },
        { type: 'email.SendVerificationEmail', key: 'b', input: { address: 'a@b.c', verificationCode: '1' } },
      ]);
      // @ts-expect-error submitMany checks each entry's input against its own type
      await client.submitMany([{ type: 'email.SendVerificationEmail', key: 'b', input: { address: 'a@b.c' } }]);
      const fetched = await client.get('steam.FetchAppList', 'daily');
      expectTypeOf(fetched!.output).toEqualTypeOf<FetchAppListOutput | null>();
      expectTypeOf(context.dependencyOutput('steam.ProcessAppList')).toEqualTypeOf<ProcessAppListOutput>();
      // @ts-expect-error dependencyOutput of a name that does not exist
      context.dependencyOutput('steam.Nope');
      // A plugin's own view of another plugin's job is accepted wherever a name is.
      const view = defineExternalJob({ name: 'steam.ProcessAppList', output: payload<{ total: number }>() });
      await client.submit('metrics.ProcessMetricsUpload', 'u', { storageId: 'demo', path: 'a.csv' }, { dependsOn: [{ type: view, key: 'sentinel' }] });
    };
    expectTypeOf(compileOnly).toBeFunction();
  });
});
