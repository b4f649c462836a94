import { defineJobs, definePlugin, NonRetryableError, payload, type JobRegistry, type ModuleContext, type PluginModule, type WorkerRegistry } from '../index.js';
import { defineRegistry } from '../runtime/registry.js';

/**
 * A plugin for tests: jobby's own (the runtime's, the admin's) and those of tools built on jobby that
 * need job types to run (a dashboard, an exporter). Its behaviour is steered by the test through
 * `demoControl`, so that one definition covers fan-in, retries, timeouts and cancellation.
 * `demoRegistry` is a hand-written registry in the generated shape (client id 7), so that no codegen
 * run is needed.
 *
 * @example
 * ```ts
 * import { createJobbyClient, createWorker } from '@jobby/core';
 * import { createTestDatabase, demoJobs, demoRegistry } from '@jobby/core/testing';
 *
 * const database = await createTestDatabase();                  // a schema of its own
 * const worker = createWorker({ database, registry: demoRegistry });
 * await worker.start();
 * await createJobbyClient({ database, registry: demoRegistry }).submit(demoJobs.refs.Produce, 'a', { value: 2 });
 * ```
 */

export enum DemoJob {
  Produce = 0,
  Combine = 1,
  Flaky = 2,
  Slow = 3,
  Strict = 4,
  /** Sleeps without a timeout, heeding its signal; with `report`, reports progress and log lines. */
  Sleep = 5,
  /** Uses the handler actions: submit, submit a dependent, run again later, or fail after submitting. */
  Chain = 6,
}

export interface ProduceInput {
  value: number;
}
export interface ProduceOutput {
  doubled: number;
}
/**
 * With `report`: writes `lines` log lines (default 1) and progress 0.5 `halfway` before sleeping
 * (a `progress` value instead, valid or not, when given), then progress 1 `done` and a last line.
 */
export interface SleepInput {
  ms: number;
  report?: { lines?: number; progress?: number };
}

export interface CombineOutput {
  sum: number;
  parts: string[];
  first: number;
}

export const demoJobs = defineJobs({
  plugin: 'demo',
  enum: DemoJob,
  types: {
    Produce: { input: payload<ProduceInput>(), output: payload<ProduceOutput>(), submittable: true },
    Combine: { input: payload<{ label: string }>(), output: payload<CombineOutput>() },
    Flaky: { input: payload<{ failTimes: number }>(), output: payload<{ attempts: number }>() },
    Slow: { input: payload<{ ms: number }>(), output: payload<{ finished: boolean }>() },
    Strict: { input: payload<{ name: string }>() },
    Sleep: { input: payload<SleepInput>(), output: payload<{ slept: number }>() },
    Chain: { input: payload<{ mode: 'submit' | 'repeat' | 'fail' }>(), output: payload<{ runs: number }>() },
  },
});

export const demoControl = {
  startupJobs: false,
  /** Runs per Chain job key. */
  chainRuns: new Map<string, number>(),
  aborted: [] as string[],
  started: [] as string[],
  /** Schedules (and limits) the module declares in jobs(). */
  schedules: undefined as ((registry: JobRegistry<typeof demoJobs>) => void) | undefined,
};

type Jobs = typeof demoJobs;

export class DemoModule implements PluginModule<Jobs> {
  static initialize(_context: ModuleContext): DemoModule {
    return new DemoModule();
  }

  workers(registry: WorkerRegistry<Jobs>): void {
    registry.register(DemoJob.Produce, 'producer', ({ input }) => ({ doubled: input.value * 2 }));
    registry.register(DemoJob.Combine, 'combiner', ({ input, dependencies, dependencyOutput }) => {
      // Typed through the handle: `first.doubled` is a number.
      const first = dependencyOutput(demoJobs.refs.Produce, dependencies[0]!.key);
      const parts = dependencies.map((dependency) => `${dependency.type}:${dependency.key}`).sort();
      const sum = dependencies.reduce((total, dependency) => total + (dependency.output as ProduceOutput).doubled, 0);
      return { sum, parts: [input.label, ...parts], first: first.doubled };
    });
    registry.register(DemoJob.Flaky, 'flaky', ({ input, job }) => {
      if (job.attempt <= input.failTimes) throw new Error(`flaky failure ${job.attempt}`);
      return { attempts: job.attempt };
    }, { backoffBaseMs: 10, backoffMaxMs: 50 });
    registry.register(
      DemoJob.Slow,
      'slow',
      async ({ input, signal, job }) => {
        demoControl.started.push(job.key);
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, input.ms);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            demoControl.aborted.push(job.key);
            reject(signal.reason);
          });
        });
        return { finished: true };
      },
      { timeoutMs: 1_000 },
    );
    registry.register(DemoJob.Strict, 'strict', () => null);
    registry.register(DemoJob.Chain, 'chain', ({ input, job, actions }) => {
      const runs = (demoControl.chainRuns.get(job.key) ?? 0) + 1;
      demoControl.chainRuns.set(job.key, runs);
      if (input.mode === 'submit') {
        actions.submit(demoJobs.refs.Produce, `${job.key}-child`, { value: 3 });
        actions.submitDependent(demoJobs.refs.Strict, `${job.key}-after`, { name: 'after' });
      } else if (input.mode === 'repeat') {
        if (runs < 3) actions.runAgainIn(50);
      } else {
        actions.submit(demoJobs.refs.Produce, `${job.key}-never`, { value: 1 });
        throw new NonRetryableError('fails after submitting');
      }
      return { runs };
    });
    registry.register(DemoJob.Sleep, 'sleeper', async ({ input, signal, job, progress, log }) => {
      demoControl.started.push(job.key);
      if (input.report) {
        for (let line = 1; line <= (input.report.lines ?? 1); line++) log(`line ${line} of attempt ${job.attempt}`, line === 1 ? { ms: input.ms } : undefined);
        progress(input.report.progress ?? 0.5, 'halfway');
      }
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, input.ms);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      });
      if (input.report) {
        progress(1, 'done');
        log.warn('woke up');
      }
      return { slept: input.ms };
    });
  }

  jobs(registry: JobRegistry<Jobs>): void {
    demoControl.schedules?.(registry);
    if (!demoControl.startupJobs) return;
    registry.submit(DemoJob.Produce, 'startup-a', { value: 1 }).maxAttempts(3);
    registry.submit(DemoJob.Combine, 'startup-sum', { label: 'startup' }).dependsOn(DemoJob.Produce, 'startup-a').maxAttempts(2);
  }
}

export const demoPlugin = definePlugin({ jobs: demoJobs, module: DemoModule });

const schema = (properties: Record<string, unknown>, required: string[]) => ({ type: 'object', properties, required, additionalProperties: false });

/** A hand-written registry in the generated shape (client id 7). */
export const demoRegistry = defineRegistry({
  plugins: [
    {
      name: 'demo',
      clientId: 7,
      packageName: '@jobby/core/testing',
      version: '0.0.0',
      definition: demoPlugin,
      jobTypes: [
        { id: 7000, localId: 0, name: 'Produce', submittable: true, inputSchema: schema({ value: { type: 'number' } }, ['value']) },
        { id: 7001, localId: 1, name: 'Combine', submittable: false, inputSchema: schema({ label: { type: 'string' } }, ['label']) },
        { id: 7002, localId: 2, name: 'Flaky', submittable: false, inputSchema: schema({ failTimes: { type: 'integer' } }, ['failTimes']) },
        { id: 7003, localId: 3, name: 'Slow', submittable: false, inputSchema: schema({ ms: { type: 'integer' } }, ['ms']) },
        { id: 7004, localId: 4, name: 'Strict', submittable: false, inputSchema: schema({ name: { type: 'string', minLength: 1 } }, ['name']) },
        {
          id: 7005,
          localId: 5,
          name: 'Sleep',
          submittable: false,
          inputSchema: schema({ ms: { type: 'integer' }, report: schema({ lines: { type: 'integer' }, progress: { type: 'number' } }, []) }, ['ms']),
        },
        { id: 7006, localId: 6, name: 'Chain', submittable: false, inputSchema: schema({ mode: { enum: ['submit', 'repeat', 'fail'] } }, ['mode']) },
      ],
    },
  ],
});
