import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { createServer, type Server } from 'node:http';
import { jobStoreOf } from './client.js';
import type { Worker } from './worker/worker.js';

/**
 * Prometheus metrics of one worker: throughput, failures and run time per job type from the
 * worker's events, and queue depth per type and state read from the database at scrape time.
 */
export function createWorkerMetrics(worker: Worker): Registry {
  const registry = new Registry();
  const labels = ['type'] as const;
  const completed = new Counter({ name: 'jobby_jobs_succeeded_total', help: 'Jobs that succeeded', labelNames: labels, registers: [registry] });
  const failed = new Counter({
    name: 'jobby_jobs_failed_total',
    help: 'Failed attempts (final or retried)',
    labelNames: ['type', 'final'] as const,
    registers: [registry],
  });
  const stale = new Counter({ name: 'jobby_jobs_stale_total', help: 'Outcomes refused because the lease was lost', labelNames: labels, registers: [registry] });
  const started = new Counter({ name: 'jobby_jobs_started_total', help: 'Attempts started', labelNames: labels, registers: [registry] });
  const runTime = new Histogram({
    name: 'jobby_job_run_seconds',
    help: 'Handler run time',
    labelNames: labels,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300],
    registers: [registry],
  });
  const abandoned = new Counter({
    name: 'jobby_jobs_abandoned_total',
    help: 'Handlers still running after their abort (they ignore their AbortSignal)',
    labelNames: labels,
    registers: [registry],
  });
  new Gauge({
    name: 'jobby_worker_abandoned_handlers',
    help: 'Handlers running after their abort right now; each keeps its concurrency slot until it settles',
    registers: [registry],
    collect() {
      this.set(worker.abandonedCount);
    },
  });
  new Gauge({
    name: 'jobby_worker_held_jobs',
    help: 'Jobs this worker holds (buffered, running or being recorded)',
    registers: [registry],
    collect() {
      this.set(worker.heldCount);
    },
  });
  new Gauge({
    name: 'jobby_queue_jobs',
    help: 'Jobs per type and state (all workers)',
    labelNames: ['type', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await jobStoreOf(worker.client).jobCountByTypeAndState()) {
        this.set({ type: worker.client.registry.byId(row.typeId)?.fullName ?? String(row.typeId), state: row.state }, row.count);
      }
    },
  });
  worker.events.on('job:start', (event) => started.inc({ type: event.type }));
  worker.events.on('job:success', (event) => {
    completed.inc({ type: event.type });
    runTime.observe({ type: event.type }, event.durationMs / 1000);
  });
  worker.events.on('job:failure', (event) => {
    failed.inc({ type: event.type, final: String(!event.willRetry) });
    runTime.observe({ type: event.type }, event.durationMs / 1000);
  });
  worker.events.on('job:stale', (event) => stale.inc({ type: event.type }));
  worker.events.on('job:abandoned', (event) => abandoned.inc({ type: event.type }));
  return registry;
}

/** Serves `GET /metrics` on 127.0.0.1 (or `host`). */
export async function serveMetrics(registry: Registry, port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(503, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${(error as Error).message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
