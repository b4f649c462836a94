import type { Logger } from 'pino';
import type { DependencyResult, JobActions, JobContext, SubmitOptions } from '../contract/handler.js';
import type { JobTypeKey } from '../contract/job-type-map.js';
import { jobTypeNameOf } from '../contract/job-type-map.js';
import { JobbyError, describeError } from '../errors.js';
import type { StoredError } from '../store/job.js';
import type { ClaimedJob } from '../store/job-claim.js';
import type { EnqueueJobParams } from '../store/job-enqueue.js';
import type { JobbyClient } from './client.js';
import type { PayloadValidator } from './payload-validator.js';
import type { RegisteredWorker } from './module-loader.js';
import type { JobbyRegistry } from './registry.js';

/**
 * Runs one claimed job's handler and turns what happened into an outcome. Nothing escapes: a
 * throw, a timeout, an invalid output and an abort all become outcomes.
 */

export type AbortCause = 'timeout' | 'cancelled' | 'lease-lost' | 'shutdown';

export type RunOutcome =
  | { kind: 'success'; outputJson: string | null; submissions: EnqueueJobParams[]; runAgainAt?: Date }
  | { kind: 'failure'; error: StoredError; retryable: boolean; timedOut: boolean }
  /** The job was cancelled or its lease lost while running: the database already moved on. */
  | { kind: 'abandoned'; cause: AbortCause };

export interface RunJobParams {
  job: ClaimedJob;
  worker: RegisteredWorker;
  registry: JobbyRegistry;
  client: JobbyClient;
  validator: PayloadValidator;
  logger: Logger;
  controller: AbortController;
  /** Set by whoever aborts the controller, before aborting. */
  abortCause: () => AbortCause | undefined;
}

export function toStoredError(error: unknown): StoredError {
  if (JobbyError.isInstance(error)) {
    return { code: error.code, message: error.message, ...(error.stack ? { stack: error.stack } : {}), details: error.details };
  }
  if (error instanceof Error) {
    const code = typeof (error as { code?: unknown }).code === 'string' ? String((error as { code?: unknown }).code) : 'HANDLER_ERROR';
    return { code, message: error.message || error.name, ...(error.stack ? { stack: error.stack } : {}) };
  }
  return { code: 'HANDLER_ERROR', message: describeError(error) };
}

/** Handlers mark an error as permanent (no retry) with `retryable: false` on the thrown error. */
function isRetryable(error: unknown): boolean {
  return !(typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === false);
}

export async function runJob(params: RunJobParams): Promise<RunOutcome> {
  const { job, worker, registry, client, controller } = params;
  const type = worker.type;
  const submissions: EnqueueJobParams[] = [];
  let runAgainAt: Date | undefined;
  const dependencies: DependencyResult[] = job.dependencies.map((dependency) => ({
    type: registry.byId(dependency.typeId)?.fullName ?? `unknown#${dependency.typeId}`,
    key: dependency.key,
    output: dependency.output,
  }));
  const selfReference = { typeId: type.id, key: job.key };
  const actions: JobActions = {
    submit(submitType: JobTypeKey, key: string, input: unknown, options?: SubmitOptions) {
      submissions.push(client.prepare(submitType, key, input, options));
    },
    submitDependent(submitType: JobTypeKey, key: string, input: unknown, options?: SubmitOptions) {
      const prepared = client.prepare(submitType, key, input, options);
      submissions.push({ ...prepared, dependsOn: [...(prepared.dependsOn ?? []), selfReference] });
    },
    runAgainAt(at: Date) {
      if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new JobbyError('INVALID_ARGUMENT', 'runAgainAt needs a valid Date');
      runAgainAt = at;
    },
    runAgainIn(milliseconds: number) {
      if (!Number.isFinite(milliseconds) || milliseconds < 0) throw new JobbyError('INVALID_ARGUMENT', 'runAgainIn needs a non-negative number of milliseconds');
      runAgainAt = new Date(Date.now() + milliseconds);
    },
  };
  const context: JobContext<unknown> = {
    job: { id: job.id, type: type.fullName, key: job.key, attempt: job.attempt, maxAttempts: job.maxAttempts },
    input: job.input,
    dependencies,
    dependencyOutput(dependencyType: JobTypeKey, key?: string) {
      const name = jobTypeNameOf(dependencyType as string);
      const matches = dependencies.filter((dependency) => dependency.type === name && (key === undefined || dependency.key === key));
      if (matches.length === 0) {
        throw new JobbyError('DEPENDENCY_MISSING', `${type.fullName}:${job.key} has no dependency ${name}${key === undefined ? '' : `:${key}`}`);
      }
      if (matches.length > 1) {
        throw new JobbyError('INVALID_ARGUMENT', `${type.fullName}:${job.key} has ${matches.length} dependencies of type ${name}; pass the key`);
      }
      return matches[0]!.output as never;
    },
    signal: controller.signal,
    actions,
    logger: params.logger,
  };

  const aborted = new Promise<'aborted'>((resolve) => {
    if (controller.signal.aborted) resolve('aborted');
    controller.signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  try {
    const handlerResult = Promise.resolve().then(() => worker.handler(context));
    // A handler that ignores its signal still cannot hold the outcome hostage.
    handlerResult.catch(() => {});
    const result = await Promise.race([handlerResult, aborted]);
    if (result === 'aborted' && controller.signal.aborted) return abortedOutcome(params, type.fullName);
    let outputJson: string | null;
    try {
      outputJson = params.validator.serializeOutput(type, result);
    } catch (error) {
      // An output that breaks its schema is a bug in the handler: retrying cannot fix it.
      return { kind: 'failure', error: toStoredError(error), retryable: false, timedOut: false };
    }
    return { kind: 'success', outputJson, submissions, runAgainAt };
  } catch (error) {
    if (controller.signal.aborted) return abortedOutcome(params, type.fullName);
    return { kind: 'failure', error: toStoredError(error), retryable: isRetryable(error), timedOut: false };
  }
}

function abortedOutcome(params: RunJobParams, typeName: string): RunOutcome {
  const cause = params.abortCause() ?? 'shutdown';
  if (cause === 'timeout') {
    const timeoutMs = params.worker.options.timeoutMs;
    return {
      kind: 'failure',
      error: { code: 'JOB_TIMEOUT', message: `${typeName}:${params.job.key} timed out after ${timeoutMs} ms` },
      retryable: true,
      timedOut: true,
    };
  }
  return { kind: 'abandoned', cause };
}
