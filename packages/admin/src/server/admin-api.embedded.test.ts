import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobbyClient, createWorker, type Worker } from '@jobby/core';
import { createTestDatabase, demoJobs, demoRegistry, type TestDatabase } from '@jobby/core/testing';
import type { CountsResponse, GraphResponse, JobDetailResponse, JobListResponse, MetaResponse, SubmitResponse, ThroughputResponse, TypeStatsResponse } from '../shared/api-types.js';
import { createAdminApp } from './app.js';
import { silentLogger, until } from './testing/api-harness.js';

/**
 * The quick start runs the admin server on the embedded database (PGlite, PostgreSQL 18 in WASM):
 * every read endpoint and a submission, there, with changes open as on the quick start.
 */

let database: TestDatabase;
let worker: Worker;
let app: ReturnType<typeof createAdminApp>;

beforeAll(async () => {
  database = await createTestDatabase({ backend: 'embedded' });
  worker = createWorker({ database, registry: demoRegistry, logger: silentLogger, pollIntervalMs: 100 });
  await worker.start();
  app = createAdminApp({ database, registry: demoRegistry, embedded: true, token: '', logger: silentLogger, worker, uiDirectory: '/nonexistent-ui' });
}, 120_000);
afterAll(async () => {
  await worker?.stop({ graceMs: 100 });
  await database?.close();
});

const get = async <T>(path: string): Promise<T> => {
  const response = await app.request(`http://127.0.0.1${path}`);
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
};

describe('admin API on the embedded database', () => {
  it('serves every read endpoint and accepts a submission without a token', async () => {
    expect(await get<MetaResponse>('/api/meta')).toMatchObject({ databaseKind: 'embedded', embeddedOpen: true, readOnly: false });
    const response = await app.request('http://127.0.0.1/api/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'demo.Produce', key: 'embedded-1', input: { value: 4 } }),
    });
    expect(response.status).toBe(201);
    const submitted = (await response.json()) as SubmitResponse;
    const client = createJobbyClient({ database, registry: demoRegistry });
    await client.submit(demoJobs.refs.Combine, 'embedded-sum', { label: 'x' }, { dependsOn: [{ type: demoJobs.refs.Produce, key: 'embedded-1' }] });
    await until('the embedded jobs', async () => (await client.get(demoJobs.refs.Combine, 'embedded-sum'))?.state === 'succeeded', 30_000);

    const detail = await get<JobDetailResponse>(`/api/jobs/${submitted.id}`);
    expect(detail.job.state).toBe('succeeded');
    expect(JSON.parse(detail.output!.text)).toEqual({ doubled: 8 });
    expect(detail.dependents.total).toBe(1);
    const lists = [
      '/api/jobs',
      '/api/jobs?state=succeeded&type=demo.Produce',
      '/api/jobs?keyPrefix=embedded-',
      '/api/jobs?from=-1h&to=2999-01-01T00:00:00Z',
      '/api/jobs?timeField=finished&from=-1h&sort=-finished',
    ];
    for (const path of lists) expect((await get<JobListResponse>(path)).jobs.length, path).toBeGreaterThan(0);
    const counts = await get<CountsResponse>('/api/counts');
    expect(counts.counts.find((row) => row.type === 'demo.Produce' && row.state === 'succeeded')?.count).toBe(1);
    const throughput = await get<ThroughputResponse>('/api/throughput?window=1h');
    expect(throughput.buckets.reduce((sum, bucket) => sum + bucket.succeeded, 0)).toBe(2);
    const graph = await get<GraphResponse>(`/api/jobs/${submitted.id}/graph`);
    expect(graph.nodes).toHaveLength(2);
    const stats = await get<TypeStatsResponse>('/api/job-types/demo.Produce/stats');
    expect(stats.sample.sampled).toBe(1);
    await get('/api/overview');
  });
});
