/**
 * Type tests for a program that does NOT include codegen's `job-types.ts`: a plugin's own build,
 * the admin server, a library. Checked by `npm run typecheck` (its own tsconfig, so that the
 * augmentation in src/contract/contract-types.test.ts is not part of this program). Each
 * `@ts-expect-error` fails the build if the line below it ever compiles.
 */
import { expectTypeOf } from 'vitest';
import {
  defineExternalJob,
  payload,
  type JobbyClient,
  type JobContext,
  type JobRegistry,
  type JobTypeName,
  type JobTypeNamesNotGenerated,
  type WorkerRegistry,
} from '../src/index.js';
import { DemoJob, demoJobs, type ProduceOutput } from '../src/testing/demo-plugin.js';

declare const client: JobbyClient;
declare const workers: WorkerRegistry<typeof demoJobs>;
declare const jobs: JobRegistry<typeof demoJobs>;
declare const context: JobContext<unknown>;

// No string is a job name here, and the error a string gets says how to get the generated ones.
expectTypeOf<JobTypeName>().toEqualTypeOf<JobTypeNamesNotGenerated>();
expectTypeOf<JobTypeNamesNotGenerated>().toExtend<`jobby: no generated job types in this program: run \`jobby codegen\` and import the generated job-types.ts${string}`>();

export async function submitsByName(): Promise<void> {
  // @ts-expect-error a misspelt name does not compile where the generated types are not visible
  await client.submit('billing.Nope', 'k', {});
  // @ts-expect-error nor does a real one: its payload could not be checked
  await client.submit('demo.Produce', 'k', { value: 'not a number' });
  // @ts-expect-error get() by name
  await client.get('demo.Produce', 'k');
  // @ts-expect-error submitMany by name
  await client.submitMany([{ type: 'demo.Produce', key: 'k', input: { value: 1 } }]);
  // @ts-expect-error a dependency by name
  await client.submit(demoJobs.refs.Produce, 'k', { value: 1 }, { dependsOn: [{ type: 'demo.Produce', key: 'a' }] });
  // Handles are typed everywhere, with or without the generated types.
  await client.submit(demoJobs.refs.Produce, 'k', { value: 1 }, { dependsOn: [{ type: demoJobs.refs.Flaky, key: 'a' }] });
  // @ts-expect-error a handle's payload is checked
  await client.submit(demoJobs.refs.Produce, 'k', { value: 'one' });
  await client.submitMany([{ type: demoJobs.refs.Produce, key: 'k', input: { value: 1 } }]);
  // @ts-expect-error submitMany's inputs are checked by handle too (it took input: unknown)
  await client.submitMany([{ type: demoJobs.refs.Produce, key: 'k', input: { value: 'one' } }]);
  const job = await client.get(demoJobs.refs.Produce, 'k');
  expectTypeOf(job!.output).toEqualTypeOf<ProduceOutput | null>();
}

export function insideAPlugin(): void {
  // @ts-expect-error another plugin's output by name (it was `unknown`)
  context.dependencyOutput('email.SendVerificationEmail');
  expectTypeOf(context.dependencyOutput(demoJobs.refs.Produce)).toEqualTypeOf<ProduceOutput>();
  // Another plugin's job, by a handle of this package's own making: typed by its own view.
  const delivery = defineExternalJob({ name: 'email.SendVerificationEmail', output: payload<{ messageId: string }>() });
  expectTypeOf(context.dependencyOutput(delivery)).toEqualTypeOf<{ messageId: string }>();
  // @ts-expect-error a dependency by a name that does not exist
  jobs.submit(DemoJob.Combine, 'k', { label: 'x' }).dependsOn('billing.Nope', 'k');
  // @ts-expect-error a number that is not a value of the plugin's enum
  jobs.submit(DemoJob.Combine, 'k', { label: 'x' }).dependsOn(7, 'k');
  jobs.submit(DemoJob.Combine, 'k', { label: 'x' }).dependsOn(DemoJob.Produce, 'a').dependsOn(delivery, 'k').maxAttempts(3);
  workers.register(DemoJob.Combine, 'typed', ({ dependencyOutput, actions }) => {
    // @ts-expect-error actions.submit by name
    actions.submit('demo.Produce', 'child', { value: 1 });
    actions.submit(demoJobs.refs.Produce, 'child', { value: 1 });
    const produced = dependencyOutput(demoJobs.refs.Produce, 'a');
    return { sum: produced.doubled, parts: [], first: 0 };
  });
}
