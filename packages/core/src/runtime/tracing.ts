import {
  context as otelContext,
  isSpanContextValid,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanContext,
  type TracerProvider,
} from '@opentelemetry/api';
import { describeError, JobbyError } from '../errors.js';

/**
 * OpenTelemetry traces (issue 21). jobby depends on `@opentelemetry/api` only: the application
 * installs and registers an SDK (e.g. `@opentelemetry/sdk-node`), or nothing happens.
 *
 * - A submission (`submit`, `submitMany`, and the actions of a handler) is one PRODUCER span,
 *   `send <type>`, and its trace context (a W3C traceparent) is stored with each new job
 *   (`jobs.trace_parent`).
 * - Each attempt is one CONSUMER span, `process <type>`, whose parent is that stored context: the
 *   attempts of a job, and the jobs its handler submits, continue the submitter's trace.
 * - Attributes follow OpenTelemetry's messaging conventions (`messaging.system` = `jobby`,
 *   `messaging.operation.type`, `messaging.destination.name` = the job type, `messaging.message.id`
 *   = the job id), plus `jobby.job.key` and `jobby.job.attempt`.
 *
 * Without an SDK nothing is allocated per job: {@link tracingEnabled} is a comparison, and the
 * worker reads stored contexts only while it is true.
 *
 * @internal
 */

const tracerName = '@jobby/core';

/** The provider the API hands out while no SDK registered one (a singleton of the API). */
const noopTracerProvider: TracerProvider = new ProxyTracerProvider().getDelegate();

/**
 * True when an SDK has registered a tracer provider: spans will be made and exported.
 *
 * @example
 * ```ts
 * if (tracingEnabled()) span = startProcessSpan(...);
 * ```
 */
export function tracingEnabled(): boolean {
  const provider = trace.getTracerProvider();
  return (provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider) !== noopTracerProvider;
}

const tracer = () => trace.getTracer(tracerName);

const baseAttributes = (operation: 'send' | 'process', destination: string | undefined): Attributes => ({
  'messaging.system': 'jobby',
  'messaging.operation.type': operation,
  'messaging.operation.name': operation,
  ...(destination === undefined ? {} : { 'messaging.destination.name': destination }),
});

/** A span context as a W3C traceparent header value; undefined for an invalid (non-recording) one. */
export function traceParentOf(span: Span): string | undefined {
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return undefined;
  return `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

const traceParentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The remote parent a stored traceparent describes; undefined when it is not one (never throws). */
export function parseTraceParent(value: string | undefined): SpanContext | undefined {
  const match = value === undefined ? null : traceParentPattern.exec(value);
  if (!match) return undefined;
  const spanContext: SpanContext = { traceId: match[1]!, spanId: match[2]!, traceFlags: Number.parseInt(match[3]!, 16), isRemote: true };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/**
 * Starts the PRODUCER span of a submission of `count` jobs of the given types, as a child of the
 * active context (a handler's, when a handler submits). End it with {@link endSpan}.
 */
export function startSendSpan(typeNames: readonly string[], count: number, parent: Context = otelContext.active()): Span {
  const distinct = [...new Set(typeNames)];
  const destination = distinct.length === 1 ? distinct[0] : undefined;
  return tracer().startSpan(
    destination ? `send ${destination}` : 'send',
    { kind: SpanKind.PRODUCER, attributes: { ...baseAttributes('send', destination), ...(count > 1 ? { 'messaging.batch.message_count': count } : {}) } },
    parent,
  );
}

/**
 * Sends `jobs` (of the types named, one name per job) inside their PRODUCER span: each job carries
 * the span's context (`traceParent`) into the store; a single job's id becomes the span's
 * `messaging.message.id`; an error ends the span with status ERROR and is thrown on.
 */
export async function sendTraced<TJob extends { traceParent?: string }, TResult extends { id: string }>(
  typeNames: readonly string[],
  jobs: readonly TJob[],
  send: (jobs: TJob[]) => Promise<TResult[]>,
): Promise<TResult[]> {
  const span = startSendSpan(typeNames, jobs.length);
  const traceParent = traceParentOf(span);
  try {
    const results = await send(traceParent ? jobs.map((job) => ({ ...job, traceParent })) : [...jobs]);
    if (results.length === 1) span.setAttribute('messaging.message.id', results[0]!.id);
    endSpan(span);
    return results;
  } catch (error) {
    endSpan(span, { code: JobbyError.isInstance(error) ? error.code : undefined, message: describeError(error) });
    throw error;
  }
}

export interface ProcessSpanJob {
  id: string;
  key: string;
  attempt: number;
  typeName: string;
  /** The submitter's stored context, if any. */
  traceParent: string | undefined;
}

/** Starts the CONSUMER span of one attempt, continuing the submitter's trace when it was stored. */
export function startProcessSpan(job: ProcessSpanJob): Span {
  const remote = parseTraceParent(job.traceParent);
  const parent = remote ? trace.setSpanContext(ROOT_CONTEXT, remote) : ROOT_CONTEXT;
  return tracer().startSpan(
    `process ${job.typeName}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...baseAttributes('process', job.typeName),
        'messaging.message.id': job.id,
        'jobby.job.key': job.key,
        'jobby.job.attempt': job.attempt,
      },
    },
    parent,
  );
}

/** Runs `fn` with `span` as the active span (so that what it submits or calls is its child). */
export function withSpan<T>(span: Span, fn: () => T): T {
  return otelContext.with(trace.setSpan(otelContext.active(), span), fn);
}

/** Ends a span: an error sets the status and records the exception (`error.type` = its code). */
export function endSpan(span: Span, error?: { code?: string; message: string }): void {
  if (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    span.setAttribute('error.type', error.code ?? 'Error');
    span.recordException({ name: error.code ?? 'Error', message: error.message });
  }
  span.end();
}
