import { describe, expectTypeOf, it } from 'vitest';
import type { DeclaredInput, DeclaredOutput } from './define-jobs.js';
import type { JobbyClient } from '../runtime/client.js';
import { demoJobs, DemoJob, type CombineOutput, type ProduceInput, type ProduceOutput } from '../testing/demo-plugin.js';
import type { WorkerRegistry } from './worker-registry.js';
import type { JobRegistry } from './job-registry.js';
import { defineExternalJob } from './define-external-job.js';
import { payload } from './payload.js';
import { defineJobs } from './define-jobs.js';

/**
 * Type tests. Their assertions are checked by the compiler (`npm run typecheck`, part of
 * `npm test`): each `@ts-expect-error` fails the build if the line below it ever compiles.
 */

// What `jobby codegen` emits for an application: the type map keyed by `plugin.Job`.
declare module './job-type-map.js' {
  interface JobTypeMap {
    'demo.Produce': { input: DeclaredInput<(typeof demoJobs)['types']['Produce']>; output: DeclaredOutput<(typeof demoJobs)['types']['Produce']>; submittable: true };
    'demo.Combine': { input: DeclaredInput<(typeof demoJobs)['types']['Combine']>; output: DeclaredOutput<(typeof demoJobs)['types']['Combine']>; submittable: false };
    'demo.Flaky': { input: { failTimes: number }; output: { attempts: number }; submittable: false };
    'demo.Slow': { input: { ms: number }; output: { finished: boolean }; submittable: false };
    'demo.Strict': { input: { name: string }; output: null; submittable: false };
    'demo.Sleep': { input: { ms: number }; output: { slept: number }; submittable: false };
    'demo.Chain': { input: { mode: 'submit' | 'repeat' | 'fail' }; output: { runs: number }; submittable: false };
  }
}

declare const client: JobbyClient;
declare const workers: WorkerRegistry<typeof demoJobs>;
declare const jobs: JobRegistry<typeof demoJobs>;

// Group keys are typed by each job type's input (issue 19).
export const groupedJobs = defineJobs({
  plugin: 'grouped',
  enum: DemoJob,
  types: { ...demoJobs.types },
  groupKeys: {
    Strict: (input) => input.name,
    // @ts-expect-error Produce's input has no tenant
    Produce: (input) => input.tenant,
    // @ts-expect-error a group key is a string
    Slow: (input) => input.ms,
  },
});

describe('the contract is type-safe across packages', () => {
  it('types submit() by name and by handle', () => {
    // Compiled, never called: the client here is only a declared type.
    const compileOnly = async () => {
      await client.submit('demo.Produce', 'k', { value: 1 });
      await client.submit(demoJobs.refs.Produce, 'k', { value: 1 });
      // @ts-expect-error wrong input type
      await client.submit('demo.Produce', 'k', { value: 'one' });
      // @ts-expect-error missing input field
      await client.submit(demoJobs.refs.Produce, 'k', {});
      // @ts-expect-error unknown job type
      await client.submit('demo.DoesNotExist', 'k', {});
      // @ts-expect-error a dependency must name a known job type
      await client.submit('demo.Combine', 'k', { label: 'x' }, { dependsOn: [{ type: 'steam.Nope', key: 'a' }] });
      const job = await client.get('demo.Combine', 'k');
      expectTypeOf(job!.output).toEqualTypeOf<CombineOutput | null>();
      // @ts-expect-error get() of a name that is not generated
      await client.get('demo.Nope', 'k');
    };
    expectTypeOf(compileOnly).toBeFunction();
    expectTypeOf<DeclaredInput<(typeof demoJobs)['types']['Produce']>>().toEqualTypeOf<ProduceInput>();
  });

  it('types submitMany() entry by entry', () => {
    const compileOnly = async () => {
      await client.submitMany([
        { type: 'demo.Produce', key: 'a', input: { value: 1 } },
        { type: demoJobs.refs.Strict, key: 'b', input: { name: 'x' }, options: { priority: 5 } },
      ]);
      await client.submitMany([
        { type: 'demo.Produce', key: 'a', input: { value: 1 } },
        // @ts-expect-error the second entry's input is the first one's type, not its own
        { type: 'demo.Strict', key: 'b', input: { value: 1 } },
      ]);
      // @ts-expect-error an unknown name inside submitMany
      await client.submitMany([{ type: 'demo.Nope', key: 'a', input: {} }]);
      const built = ['a', 'b'].map((key) => ({ type: demoJobs.refs.Produce, key, input: { value: key.length } }));
      await client.submitMany(built);
      const wrong = ['a'].map((key) => ({ type: demoJobs.refs.Produce, key, input: { value: key } }));
      // @ts-expect-error a mapped array keeps its entries' input type checked
      await client.submitMany(wrong);
    };
    expectTypeOf(compileOnly).toBeFunction();
  });

  it('types another plugin\'s job named by defineExternalJob, without importing that plugin', () => {
    interface ProducedView {
      doubled: number;
    }
    const produced = defineExternalJob({ name: 'demo.Produce', output: payload<ProducedView>() });
    expectTypeOf(produced.name).toEqualTypeOf<'demo.Produce'>();
    const compileOnly = () => {
      workers.register(DemoJob.Combine, 'external', ({ dependencyOutput }) => {
        expectTypeOf(dependencyOutput(produced)).toEqualTypeOf<ProducedView>();
        return { sum: 0, parts: [], first: 0 };
      });
      jobs.submit(DemoJob.Combine, 'startup', { label: 'x' }).dependsOn(produced, 'a');
      // @ts-expect-error a handle's name is plugin.Job
      defineExternalJob({ name: 'Produce' });
    };
    expectTypeOf(compileOnly).toBeFunction();
  });

  it('types handlers and startup jobs from the plugin enum', () => {
    const compileOnly = () => {
    workers.register(DemoJob.Produce, 'typed', ({ input }) => {
      expectTypeOf(input).toEqualTypeOf<ProduceInput>();
      return { doubled: input.value * 2 };
    });
    // @ts-expect-error the output must match the declared output type
    workers.register(DemoJob.Produce, 'wrong-output', () => ({ doubled: 'two' }));
    workers.register(DemoJob.Combine, 'deps', ({ dependencyOutput }) => {
      const parent = dependencyOutput('demo.Produce', 'a');
      expectTypeOf(parent).toEqualTypeOf<ProduceOutput>();
      return { sum: parent.doubled, parts: [], first: 0 };
    });
    jobs.submit(DemoJob.Produce, 'startup', { value: 1 }).maxAttempts(3).dependsOn('demo.Flaky', 'x');
    // @ts-expect-error wrong startup input
    jobs.submit(DemoJob.Produce, 'startup', { value: true });
    // @ts-expect-error not a value of the plugin's enum
    jobs.submit(42, 'startup', {});
    // @ts-expect-error a dependency by a number that is not a value of the plugin's enum
    jobs.submit(DemoJob.Produce, 'startup', { value: 1 }).dependsOn(7, 'x');
    // @ts-expect-error a dependency by a name that is not generated
    jobs.submit(DemoJob.Produce, 'startup', { value: 1 }).dependsOn('demo.Nope', 'x');
    jobs.submit(DemoJob.Produce, 'startup', { value: 1 }).priority(1).dependsOn(DemoJob.Combine, 'x').dependsOn(demoJobs.refs.Strict, 'y');
    // Schedules: the input is checked against the job type like any submission.
    jobs.schedule(DemoJob.Produce, { cron: '0 7 * * 1', timezone: 'Europe/Berlin', input: { value: 1 } });
    jobs.schedule(DemoJob.Strict, { name: 'hourly', cron: '0 0 * * * *', input: { name: 'x' }, catchUp: { upTo: 3 }, retentionSeconds: 86_400 });
    // @ts-expect-error a schedule's input of the wrong type
    jobs.schedule(DemoJob.Produce, { cron: '* * * * *', input: { value: 'one' } });
    // @ts-expect-error a schedule needs its input
    jobs.schedule(DemoJob.Produce, { cron: '* * * * *' });
    // @ts-expect-error a catch-up policy that does not exist
    jobs.schedule(DemoJob.Produce, { cron: '* * * * *', input: { value: 1 }, catchUp: 'all' });
    // @ts-expect-error a value that is not of the plugin's enum
    jobs.schedule(42, { cron: '* * * * *', input: {} });
    // Limits (issue 19): numbers in the runtime controls' shapes.
    jobs.limit(DemoJob.Slow, { concurrency: 3, rate: { limit: 20, intervalMs: 1_000 }, group: { concurrency: 2 } });
    // @ts-expect-error a rate needs its interval
    jobs.limit(DemoJob.Slow, { rate: { limit: 20 } });
    // @ts-expect-error a limit is a number
    jobs.limit(DemoJob.Slow, { concurrency: '3' });
    // @ts-expect-error a value that is not of the plugin's enum
    jobs.limit(42, { concurrency: 1 });
    workers.register(DemoJob.Combine, 'unknown-dependency', ({ dependencyOutput }) => {
      // @ts-expect-error dependencyOutput of a name that is not generated
      dependencyOutput('demo.Nope');
      return { sum: 0, parts: [], first: 0 };
    });
    };
    expectTypeOf(compileOnly).toBeFunction();
  });
});
