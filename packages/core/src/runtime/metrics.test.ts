import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { createWorkerMetrics, serveMetrics } from './metrics.js';
import { demoJobs, demoRegistry } from '../testing/demo-plugin.js';
import { createWorker, type Worker } from './worker/worker.js';

describe('Prometheus metrics', () => {
  let database: TestDatabase;
  let worker: Worker;
  beforeAll(async () => {
    database = await createTestDatabase({ backend: 'postgres' });
    worker = createWorker({ database, registry: demoRegistry, logger: pino({ level: 'silent' }), pollIntervalMs: 100 });
    await worker.start();
  });
  afterAll(async () => {
    await worker?.stop({ graceMs: 100 });
    await database?.close();
  });

  it('serves throughput, failures, run time and queue depth per job type on /metrics', async () => {
    const metrics = createWorkerMetrics(worker);
    const server = await serveMetrics(metrics, 0);
    try {
      const succeeded = new Promise((resolve) => worker.events.once('job:success', resolve));
      const failed = new Promise((resolve) => worker.events.once('job:failure', resolve));
      await worker.client.submit(demoJobs.refs.Produce, 'metered', { value: 1 });
      await worker.client.submit(demoJobs.refs.Flaky, 'metered-failure', { failTimes: 5 }, { maxAttempts: 1 });
      await Promise.all([succeeded, failed]);
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain('jobby_jobs_succeeded_total{type="demo.Produce"} 1');
      expect(text).toContain('jobby_jobs_failed_total{type="demo.Flaky",final="true"} 1');
      expect(text).toMatch(/jobby_job_run_seconds_count\{type="demo.Produce"\} 1/);
      expect(text).toContain('jobby_queue_jobs{type="demo.Produce",state="succeeded"} 1');
      expect(text).toContain('jobby_worker_abandoned_handlers 0');
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
