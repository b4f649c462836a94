import type { Logger } from 'pino';
import type { DependencyResult, JobActions, JobContext, SubmitOptions } from '../../contract/handler.js';
import type { JobTypeKey } from '../../contract/job-type-map.js';
import { jobTypeNameOf } from '../../contract/job-type-map.js';
import { isNonRetryable, nonRetryable } from '../../contract/non-retryable-error.js';
import { JobbyError, describeError } from '../../errors.js';
import type { StoredError } from '../../store/job.js';
import type { ClaimedJob } from '../../store/job-claim.js';
import type { EnqueueJobParams } from '../../store/job-enqueue.js';
import { assertRunAt } from '../../store/job-enqueue-options.js';
import { jobStoreOf, type JobbyClient } from '../client.js';
import type { PayloadValidator } from '../payload-validator.js';
import type { RegisteredWorker } from '../module-loader.js';
import type { JobbyRegistry } from '../registry.js';
import { endSpan, startProcessSpan, traceParentOf, tracingEnabled, withSpan } from '../tracing.js';
import type { AttemptReport, AttemptReports } from './attempt-reports.js';
import { traceParentLoader } from './trace-parents.js';

/**
 * Runs one claimed job's handler and turns what happened into an outcome. Nothing escapes: a
 * throw, a timeout, an invalid output and an abort all become outcomes.
 */

export type AbortCause = 'timeout' | 'cancelled' | 'lease-lost' | 'shutdown';

export type RunOutcome =
  | { kind: 'success'; outputJson: string | null; submissions: EnqueueJobParams[]; runAgainAt?: Date; runAgainInMs?: number }
  | { kind: 'failure'; error: StoredError; retryable: boolean; timedOut: boolean }
  /** The job was cancelled or its lease lost while running: the database already moved on. */
  | { kind: 'abandoned'; cause: AbortCause };

export interface RunJobParams {
  job: ClaimedJob;
  worker: RegisteredWorker;
  registry: JobbyRegistry;
  client: JobbyClient;
  validator: PayloadValidator;
  /** The worker's logger; the job's child logger is made on first use (it costs a serialization per job). */
  logger: Logger;
  /** Its `cause` is set by whoever aborts. */
  abort: JobAbort;
  /** Where `progress` and `log` go (attempt-reports.ts). */
  reports: AttemptReports;
}

/**
 * A job's abort switch. The `AbortSignal` a handler sees is created only when the handler reads
 * `context.signal`: most handlers never do, and a signal costs an allocation and ~4 µs per job,
 * which showed up in the profile of 20k no-op jobs (tools/bench/README.md).
 */
export class JobAbort {
  private controller: AbortController | undefined;
  private listener: (() => void) | undefined;
  aborted = false;
  reason: unknown;
  cause: AbortCause | undefined;
  /**
   * Settles (never rejects) when the handler's own promise settles; undefined for a handler that
   * returned synchronously. The outcome of an aborted job does not wait for it, the worker's slot
   * does: a handler that ignores its signal is still running (see worker.ts).
   */
  handlerSettled: Promise<void> | undefined;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown, cause?: AbortCause): void {
    if (this.aborted) return;
    this.aborted = true;
    this.cause = cause;
    this.reason = reason;
    this.controller?.abort(reason);
    const listener = this.listener;
    this.listener = undefined;
    listener?.();
  }

  /** The runner's one listener: called once, on abort (at once if already aborted). */
  onAbort(listener: () => void): void {
    if (this.aborted) listener();
    else this.listener = listener;
  }
}

const abortedMarker: unique symbol = Symbol('aborted');
const noop = () => {};

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
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

/**
 * The context a handler receives. Everything but the input is made on first use (getters on the
 * prototype): a no-op handler then costs one small object, not the ~1.4 KB of closures and objects
 * that an eagerly built context allocated per job (tools/bench/README.md). Members a handler may
 * destructure (`dependencyOutput`, `actions`) are returned as bound functions / plain objects.
 */
class HandlerContext implements JobContext<unknown> {
  submissions: EnqueueJobParams[] = noSubmissions;
  runAgainAt: Date | undefined;
  runAgainInMs: number | undefined;
  private jobInfo: JobContext<unknown>['job'] | undefined;
  private dependencyResults: DependencyResult[] | undefined;
  private actionsObject: JobActions | undefined;
  private loggerInstance: Logger | undefined;
  private reportInstance: AttemptReport | undefined;

  /** @param traceParent The attempt's span, as the parent of what the handler submits (tracing on). */
  constructor(
    private readonly params: RunJobParams,
    private readonly traceParent?: string,
  ) {}

  get input(): unknown {
    return this.params.job.input;
  }

  get job(): JobContext<unknown>['job'] {
    const { job, worker } = this.params;
    return (this.jobInfo ??= { id: job.id, type: worker.type.fullName, key: job.key, attempt: job.attempt, maxAttempts: job.maxAttempts });
  }

  get dependencies(): DependencyResult[] {
    const { job, registry } = this.params;
    return (this.dependencyResults ??= job.dependencies.map((dependency) => ({
      type: registry.byId(dependency.typeId)?.fullName ?? `unknown#${dependency.typeId}`,
      key: dependency.key,
      output: dependency.output,
    })));
  }

  get dependencyOutput(): JobContext<unknown>['dependencyOutput'] {
    const typeName = this.params.worker.type.fullName;
    const jobKey = this.params.job.key;
    const dependencies = this.dependencies;
    return ((dependencyType: JobTypeKey, key?: string) => {
      const name = jobTypeNameOf(dependencyType as string);
      const matches = dependencies.filter((dependency) => dependency.type === name && (key === undefined || dependency.key === key));
      if (matches.length === 0) {
        // Dependencies are fixed at submission: no retry can add the missing one.
        throw nonRetryable(
          new JobbyError('DEPENDENCY_MISSING', `${typeName}:${jobKey} has no dependency ${name}${key === undefined ? '' : `:${key}`}; submit it with dependsOn: [{ type: '${name}', key }]`),
        );
      }
      if (matches.length > 1) {
        throw nonRetryable(new JobbyError('INVALID_ARGUMENT', `${typeName}:${jobKey} has ${matches.length} dependencies of type ${name}; pass the key`));
      }
      return matches[0]!.output as never;
    }) as JobContext<unknown>['dependencyOutput'];
  }

  get signal(): AbortSignal {
    return this.params.abort.signal;
  }

  get logger(): Logger {
    const { job, worker } = this.params;
    return (this.loggerInstance ??= this.params.logger.child({ job: job.id, type: worker.type.fullName, key: job.key, attempt: job.attempt }));
  }

  /** Made on first use: a handler that never reports costs nothing (attempt-reports.ts). */
  private get report(): AttemptReport {
    return (this.reportInstance ??= this.params.reports.reportOf(this.params.job));
  }

  get progress(): JobContext<unknown>['progress'] {
    return (fraction: number, message?: string) => this.report.progress(fraction, message);
  }

  get log(): JobContext<unknown>['log'] {
    return this.report.log;
  }

  get actions(): JobActions {
    if (this.actionsObject) return this.actionsObject;
    const { client, worker, job } = this.params;
    const selfReference = { typeId: worker.type.id, key: job.key };
    const traceParent = this.traceParent;
    const push = (submission: EnqueueJobParams) => {
      if (this.submissions === noSubmissions) this.submissions = [];
      this.submissions.push(traceParent ? { ...submission, traceParent } : submission);
    };
    return (this.actionsObject = {
      submit: (submitType: JobTypeKey, key: string, input: unknown, options?: SubmitOptions) => {
        push(client.prepare(submitType, key, input, options));
      },
      submitDependent: (submitType: JobTypeKey, key: string, input: unknown, options?: SubmitOptions) => {
        const prepared = client.prepare(submitType, key, input, options);
        push({ ...prepared, dependsOn: [...(prepared.dependsOn ?? []), selfReference] });
      },
      runAgainAt: (at: Date) => {
        assertRunAt(at, 'runAgainAt');
        this.runAgainAt = at;
        this.runAgainInMs = undefined;
      },
      runAgainIn: (milliseconds: number) => {
        if (!Number.isFinite(milliseconds) || milliseconds < 0) throw new JobbyError('INVALID_ARGUMENT', 'runAgainIn needs a non-negative number of milliseconds');
        // Resolved on the database clock when the success is recorded.
        this.runAgainInMs = milliseconds;
        this.runAgainAt = undefined;
      },
    });
  }
}

/** Shared empty list: most jobs submit nothing. Never mutated (HandlerContext replaces it first). */
const noSubmissions: EnqueueJobParams[] = [];

export function runJob(params: RunJobParams): Promise<RunOutcome> {
  return tracingEnabled() ? runTraced(params) : runAttempt(params);
}

/**
 * One attempt inside its CONSUMER span (runtime/tracing.ts), continuing the trace its submitter
 * stored: read for the whole claimed batch at once, and only while a tracer records spans.
 */
async function runTraced(params: RunJobParams): Promise<RunOutcome> {
  const { job, worker } = params;
  const stored = await traceParentLoader(jobStoreOf(params.client))(job.id);
  const span = startProcessSpan({ id: job.id, key: job.key, attempt: job.attempt, typeName: worker.type.fullName, traceParent: stored });
  const outcome = await withSpan(span, () => runAttempt(params, traceParentOf(span)));
  if (outcome.kind === 'abandoned') span.setAttribute('jobby.job.abandoned', outcome.cause);
  endSpan(span, outcome.kind === 'failure' ? outcome.error : undefined);
  return outcome;
}

async function runAttempt(params: RunJobParams, traceParent?: string): Promise<RunOutcome> {
  const { worker, abort } = params;
  const type = worker.type;
  const context = new HandlerContext(params, traceParent);

  try {
    let result: unknown = worker.handler(context);
    if (isThenable(result)) {
      const handlerResult = Promise.resolve(result);
      // A handler that ignores its signal still cannot hold the outcome hostage.
      abort.handlerSettled = handlerResult.then(noop, noop);
      const aborted = new Promise<typeof abortedMarker>((resolve) => abort.onAbort(() => resolve(abortedMarker)));
      result = await Promise.race([handlerResult, aborted]);
      if (result === abortedMarker) return abortedOutcome(params, type.fullName);
    }
    if (abort.aborted) return abortedOutcome(params, type.fullName);
    let outputJson: string | null;
    try {
      outputJson = params.validator.serializeOutput(type, result);
    } catch (error) {
      // An output that breaks its schema is a bug in the handler: retrying cannot fix it.
      return { kind: 'failure', error: toStoredError(error), retryable: false, timedOut: false };
    }
    return { kind: 'success', outputJson, submissions: context.submissions, runAgainAt: context.runAgainAt, runAgainInMs: context.runAgainInMs };
  } catch (error) {
    if (abort.aborted) return abortedOutcome(params, type.fullName);
    return { kind: 'failure', error: toStoredError(error), retryable: !isNonRetryable(error), timedOut: false };
  }
}

function abortedOutcome(params: RunJobParams, typeName: string): RunOutcome {
  const cause = params.abort.cause ?? 'shutdown';
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
