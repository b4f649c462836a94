import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoJobs, demoRegistry } from '../testing/demo-plugin.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { until } from '../testing/until.js';
import { createJobbyClient, type JobbyClient } from './client.js';
import { parseTraceParent, tracingEnabled } from './tracing.js';
import { createWorker, type Worker } from './worker/worker.js';

/**
 * Traces with the SDK's in-memory exporter, on real Postgres: a submission is a PRODUCER span, each
 * attempt a CONSUMER span continuing the submitter's trace, and what a handler submits continues
 * the handler's.
 */

describe('OpenTelemetry traces', () => {
  const exporter = new InMemorySpanExporter();
  let database: TestDatabase;
  let client: JobbyClient;
  let worker: Worker | undefined;
  let enabledBefore: boolean;

  beforeAll(async () => {
    enabledBefore = tracingEnabled();
    // What an application's SDK set-up registers (NodeSDK does both).
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    database = await createTestDatabase({ backend: 'postgres' });
    client = createJobbyClient({ database, registry: demoRegistry });
  });
  afterEach(async () => {
    await worker?.stop({ graceMs: 100 });
    worker = undefined;
    exporter.reset();
  });
  afterAll(async () => {
    trace.disable();
    context.disable();
    await database?.close();
  });

  const startWorker = async () => {
    worker = createWorker({ database, registry: demoRegistry, logger: pino({ level: 'silent' }), pollIntervalMs: 100, sweepIntervalMs: 200 });
    await worker.start();
  };
  const spans = (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name);
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

  it('is off until an SDK registers a tracer provider', () => {
    expect(enabledBefore).toBe(false);
    expect(tracingEnabled()).toBe(true);
    trace.disable();
    expect(tracingEnabled()).toBe(false);
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    expect(tracingEnabled()).toBe(true);
  });

  it("continues the submitter's trace in every attempt: one consumer span per attempt", async () => {
    const submitted = await trace.getTracer('test').startActiveSpan('request-scope', async (scope) => {
      try {
        return await client.submit(demoJobs.refs.Flaky, 'traced', { failTimes: 2 }, { maxAttempts: 5 });
      } finally {
        scope.end();
      }
    });
    const [send] = spans('send demo.Flaky');
    const [scope] = spans('request-scope');
    expect(send).toBeDefined();
    expect(send!.kind).toBe(SpanKind.PRODUCER);
    expect(send!.spanContext().traceId).toBe(scope!.spanContext().traceId);
    expect(parentOf(send!)).toBe(scope!.spanContext().spanId);
    expect(send!.attributes).toMatchObject({
      'messaging.system': 'jobby',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'demo.Flaky',
      'messaging.message.id': submitted.id,
    });

    await startWorker();
    await until('three attempts of the flaky job', async () => spans('process demo.Flaky').length === 3, 15_000);
    const attempts = spans('process demo.Flaky').sort((a, b) => Number(a.attributes['jobby.job.attempt']) - Number(b.attributes['jobby.job.attempt']));
    expect(attempts.map((span) => span.attributes['jobby.job.attempt'])).toEqual([1, 2, 3]);
    for (const attempt of attempts) {
      expect(attempt.kind).toBe(SpanKind.CONSUMER);
      expect(attempt.spanContext().traceId).toBe(send!.spanContext().traceId);
      expect(parentOf(attempt)).toBe(send!.spanContext().spanId);
      expect(attempt.attributes).toMatchObject({
        'messaging.system': 'jobby',
        'messaging.operation.type': 'process',
        'messaging.destination.name': 'demo.Flaky',
        'messaging.message.id': submitted.id,
        'jobby.job.key': 'traced',
      });
    }
    expect(attempts.map((span) => span.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.ERROR, SpanStatusCode.UNSET]);
    expect(attempts[0]!.events.map((event) => event.name)).toContain('exception');
  });

  it("continues a handler's trace in the jobs it submits", async () => {
    await client.submit(demoJobs.refs.Chain, 'traced-parent', { mode: 'submit' });
    await startWorker();
    await until('the submitted child to run', async () => spans('process demo.Produce').length === 1 && spans('process demo.Strict').length === 1, 15_000);
    const [parent] = spans('process demo.Chain');
    const [child] = spans('process demo.Produce');
    const [dependent] = spans('process demo.Strict');
    for (const span of [child!, dependent!]) {
      expect(span.spanContext().traceId).toBe(parent!.spanContext().traceId);
      expect(parentOf(span)).toBe(parent!.spanContext().spanId);
    }
  });

  it('reads a stored traceparent back, and ignores one that is not (never throws)', () => {
    expect(parseTraceParent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
    });
    for (const bad of [undefined, '', 'garbage', '00-00000000000000000000000000000000-b7ad6b7169203331-01', '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01']) {
      expect(parseTraceParent(bad)).toBeUndefined();
    }
  });
});
