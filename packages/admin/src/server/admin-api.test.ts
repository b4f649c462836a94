import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ActionResponse,
  ApiErrorBody,
  BulkResponse,
  ControlsResponse,
  ChangeEvent,
  CountsResponse,
  FailureGroupsResponse,
  GraphResponse,
  JobCountResponse,
  JobDetailResponse,
  JobListResponse,
  MetaResponse,
  OverviewResponse,
  QueueHealthResponse,
  SubmitResponse,
  ThroughputResponse,
  WorkflowListResponse,
  SchedulesResponse,
  TypeControlsResponse,
  TypeStatsResponse,
} from '../shared/api-types.js';
import { createJobAdmin } from '@jobby/core/admin';
import { createApiHarness, testToken, until, type ApiHarness } from './testing/api-harness.js';
import { createJobbyClient, openDatabase } from '@jobby/core';
import { createTestDatabase, demoJobs, demoRegistry, testPostgresUrl } from '@jobby/core/testing';
import pg from 'pg';

/** Every endpoint of the admin API against real Postgres, with a real worker running the demo plugin. */

let api: ApiHarness;

beforeAll(async () => {
  api = await createApiHarness();
  await api.startWorker();
});
afterAll(async () => {
  await api?.close();
});

const jobState = async (id: string) => (await api.get<JobDetailResponse>(`/api/jobs/${id}`)).body.job.state;
const untilState = (id: string, state: string) => until(`job ${id} ${state}`, async () => (await jobState(id)) === state);

describe('reading', () => {
  it('GET /api/meta says a token is required', async () => {
    const { status, body } = await api.get<MetaResponse>('/api/meta');
    expect(status).toBe(200);
    expect(body).toMatchObject({ tokenRequired: true, readOnly: false, embeddedOpen: false, databaseKind: 'postgres', schema: api.database.schema });
  });

  it('GET /api/overview lists plugins, job types and the live worker with its settings', async () => {
    const { status, body } = await api.get<OverviewResponse>('/api/overview');
    expect(status).toBe(200);
    expect(body.plugins.map((plugin) => plugin.name)).toEqual(['demo']);
    const produce = body.plugins[0]!.jobTypes.find((type) => type.fullName === 'demo.Produce')!;
    expect(produce).toMatchObject({ id: 7000, localId: 0, submittable: true, plugin: 'demo', name: 'Produce' });
    expect(produce.workers[0]).toMatchObject({ name: 'producer', concurrency: 4, pollIntervalMs: 100 });
    const slow = body.plugins[0]!.jobTypes.find((type) => type.fullName === 'demo.Slow')!;
    expect(slow.workers[0]).toMatchObject({ name: 'slow', timeoutMs: 1000 });
    expect(body.workers).toHaveLength(1);
    expect(body.workers[0]).toMatchObject({ alive: true, concurrency: 4, inProcess: false });
    expect(body.workers[0]!.jobTypes).toContain('demo.Produce');
  });

  it('submits a job, which the worker runs, and shows it in detail', async () => {
    const submitted = await api.post<SubmitResponse>('/api/jobs', { type: 'demo.Produce', key: 'first', input: { value: 21 } });
    expect(submitted.status).toBe(201);
    expect(submitted.body).toMatchObject({ type: 'demo.Produce', key: 'first', created: true, state: 'queued' });
    await untilState(submitted.body.id, 'succeeded');
    const { body } = await api.get<JobDetailResponse>(`/api/jobs/${submitted.body.id}`);
    expect(body.job).toMatchObject({ type: 'demo.Produce', key: 'first', state: 'succeeded', attempts: 1, submittable: true });
    expect(JSON.parse(body.output!.text)).toEqual({ doubled: 42 });
    expect(body.output).toMatchObject({ truncated: false, bytes: 14, downloadUrl: `/api/jobs/${submitted.body.id}/output` });
    expect(body.input.bytes).toBe(JSON.stringify({ value: 21 }).length);
    expect(body.attempts).toHaveLength(1);
    expect(body.attempts[0]).toMatchObject({ attempt: 1, outcome: 'succeeded', error: null });
    expect(body.attempts[0]!.workerId).toBeTruthy();
    expect(body.timings.runMs).toBeGreaterThanOrEqual(0);
    expect(body.timings.queueDelayMs).toBeGreaterThanOrEqual(0);
    expect(body.timings.totalMs).toBeGreaterThanOrEqual(body.timings.runMs!);
    expect(body.actions).toEqual({ retry: false, cancel: false, runNow: false, rerun: true });
    // Submitting the same (type, key) again is idempotent.
    const again = await api.post<SubmitResponse>('/api/jobs', { type: 'demo.Produce', key: 'first', input: { value: 21 } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: submitted.body.id, created: false });
  });

  it('downloads payloads whole, and truncates large previews', async () => {
    const name = 'n'.repeat(100_000);
    const result = await api.client.submit(demoJobs.refs.Strict, 'large-input', { name });
    const { body } = await api.get<JobDetailResponse>(`/api/jobs/${result.id}`);
    expect(body.input.truncated).toBe(true);
    expect(body.input.bytes).toBe(JSON.stringify({ name }).length);
    expect(body.input.text.length).toBeLessThanOrEqual(64 * 1024);
    const download = await api.app.request(`http://127.0.0.1/api/jobs/${result.id}/input`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="demo.Strict-large-input-input.json"');
    expect(JSON.parse(await download.text())).toEqual({ name });
    await untilState(result.id, 'succeeded');
    const noOutput = await api.get<ApiErrorBody>(`/api/jobs/${result.id}/output`);
    expect(noOutput.status).toBe(404);
  });

  it('lists jobs with filters, sorting and keyset pagination', async () => {
    const results = await api.client.submitMany(
      Array.from({ length: 25 }, (_, index) => ({ type: demoJobs.refs.Produce, key: `page-${String(index).padStart(2, '0')}`, input: { value: index } })),
    );
    await until('the page jobs', async () => {
      const { body } = await api.get<JobListResponse>('/api/jobs?keyPrefix=page-&state=succeeded&limit=100');
      return body.jobs.length === 25;
    });
    // Newest first, 10 at a time, every job exactly once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/api/jobs?keyPrefix=page-&limit=10${cursor ? `&cursor=${cursor}` : ''}`;
      const { status, body }: { status: number; body: JobListResponse } = await api.get<JobListResponse>(query);
      expect(status).toBe(200);
      seen.push(...body.jobs.map((job) => job.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(results.map((result) => result.id).reverse());
    // Oldest first.
    const oldest = await api.get<JobListResponse>('/api/jobs?keyPrefix=page-&sort=created&limit=3');
    expect(oldest.body.jobs.map((job) => job.key)).toEqual(['page-00', 'page-01', 'page-02']);
    // By finish time, paged.
    const finished: string[] = [];
    cursor = null;
    do {
      const query: string = `/api/jobs?keyPrefix=page-&sort=-finished&limit=7${cursor ? `&cursor=${cursor}` : ''}`;
      const { body }: { body: JobListResponse } = await api.get<JobListResponse>(query);
      finished.push(...body.jobs.map((job) => job.id));
      const times = body.jobs.map((job) => job.finishedAt!);
      expect([...times].sort().reverse()).toEqual(times);
      cursor = body.nextCursor;
    } while (cursor);
    expect(new Set(finished).size).toBe(25);
    // State and type filters (the merged plan), plugin filter, and a time range.
    const byType = await api.get<JobListResponse>('/api/jobs?type=demo.Produce&state=succeeded&limit=500');
    expect(byType.body.jobs.every((job) => job.type === 'demo.Produce' && job.state === 'succeeded')).toBe(true);
    expect(byType.body.jobs.map((job) => Number(job.id))).toEqual([...byType.body.jobs.map((job) => Number(job.id))].sort((a, b) => b - a));
    expect(byType.body.jobs.length).toBeGreaterThanOrEqual(26);
    const byId = await api.get<JobListResponse>('/api/jobs?type=7000&limit=500');
    expect(byId.body.jobs.length).toBe(byType.body.jobs.length);
    const byPlugin = await api.get<JobListResponse>('/api/jobs?plugin=demo&keyPrefix=page-&limit=100');
    expect(byPlugin.body.jobs).toHaveLength(25);
    const recent = await api.get<JobListResponse>('/api/jobs?keyPrefix=page-&from=-1h&limit=100');
    expect(recent.body.jobs).toHaveLength(25);
    const future = await api.get<JobListResponse>(`/api/jobs?keyPrefix=page-&from=${new Date(Date.now() + 3_600_000).toISOString()}`);
    expect(future.body.jobs).toHaveLength(0);
    const finishedRecently = await api.get<JobListResponse>('/api/jobs?keyPrefix=page-&timeField=finished&from=-1h&limit=100');
    expect(finishedRecently.body.jobs).toHaveLength(25);
    const failedOnly = await api.get<JobListResponse>('/api/jobs?keyPrefix=page-&state=failed');
    expect(failedOnly.body.jobs).toHaveLength(0);
    // LIKE wildcards in a prefix are literal.
    const wildcard = await api.get<JobListResponse>('/api/jobs?keyPrefix=page_');
    expect(wildcard.body.jobs).toHaveLength(0);
  });

  it('GET and POST /api/job-types/:type/controls: pause, limit and resume a type; bad bodies are 400', async () => {
    expect((await api.get<TypeControlsResponse>('/api/job-types/demo.Slow/controls')).body).toMatchObject({ type: 'demo.Slow', paused: false, concurrency: null, rate: null });
    const paused = await api.post<TypeControlsResponse>('/api/job-types/demo.Slow/controls', { paused: true, concurrency: 2 });
    expect(paused).toMatchObject({ status: 200, body: { type: 'demo.Slow', paused: true, concurrency: 2 } });
    expect((await api.get<TypeControlsResponse>('/api/job-types/demo.Slow/controls')).body).toMatchObject({ paused: true, concurrency: 2 });
    const all = await api.get<ControlsResponse>('/api/controls');
    expect(all.body.types.find((entry) => entry.type === 'demo.Slow')).toMatchObject({ type: 'demo.Slow', paused: true, concurrency: 2 });
    expect(all.body.types.find((entry) => entry.type === 'demo.Produce')).toMatchObject({ type: 'demo.Produce', paused: false, concurrency: null });
    const rated = await api.post<TypeControlsResponse>('/api/job-types/demo.Slow/controls', { rate: { limit: 20, intervalMs: 1_000 } });
    expect(rated.body).toMatchObject({ type: 'demo.Slow', paused: true, concurrency: 2, rate: { limit: 20, intervalMs: 1_000 } });
    for (const bad of [{ paused: 'yes' }, { concurrency: 0 }, { concurrency: 1.5 }, { other: true }, { rate: { limit: 0, intervalMs: 1_000 } }, { rate: { limit: 5 } }, { rate: 5 }, { groupConcurrency: 0 }, { clearLimits: 'yes' }]) {
      expect((await api.post<ApiErrorBody>('/api/job-types/demo.Slow/controls', bad)).status).toBe(400);
    }
    expect((await api.post<ApiErrorBody>('/api/job-types/nope.Nope/controls', { paused: true })).status).toBe(400);
    const resumed = await api.post<TypeControlsResponse>('/api/job-types/demo.Slow/controls', { paused: false, concurrency: null, rate: null });
    expect(resumed.body).toMatchObject({ type: 'demo.Slow', paused: false, concurrency: null, rate: null });
    // Each change is in the audit trail of the type, newest first; refused ones are not.
    const trail = await createJobAdmin(api.database).adminActionList({ typeId: demoRegistry.byName('demo.Slow')!.id, limit: 10 });
    expect(trail.map((entry) => [entry.actor, entry.action, entry.details])).toEqual([
      ['operator', 'resume', { paused: false, concurrency: null, rate: null }],
      ['operator', 'limit', { paused: true, concurrency: 2, rate: { limit: 20, intervalMs: 1_000 } }],
      ['operator', 'pause', { paused: true, concurrency: 2, rate: null }],
    ]);
  });

  it('GET /api/schedules lists the declared schedules with their next and last fire times (issue 19)', async () => {
    expect((await api.get<SchedulesResponse>('/api/schedules')).body).toEqual({ schedules: [] });
    // As a worker records a schedule its module declared (core's scheduler.ts).
    await sql`insert into ${sql.table(`${api.database.schema}.job_schedules`)} (type_id, name, cron, timezone, catch_up, decided_until, last_fire_at)
              values (7000, 'hourly', '0 * * * *', 'UTC', 'none', '2026-12-01T10:00:00Z', '2026-12-01T10:00:00Z')`.execute(api.database.db);
    const { status, body } = await api.get<SchedulesResponse>('/api/schedules');
    expect(status).toBe(200);
    expect(body.schedules).toEqual([
      { type: 'demo.Produce', name: 'hourly', cron: '0 * * * *', timezone: 'UTC', catchUp: 'none', state: 'active', nextFireAt: expect.stringMatching(/T\d\d:00:00\.000Z$/), lastFireAt: '2026-12-01T10:00:00.000Z', removedAt: null },
    ]);
    expect(new Date(body.schedules[0]!.nextFireAt!).getTime() - Date.now()).toBeLessThanOrEqual(3_600_000);
    expect((await api.get<ApiErrorBody>('/api/schedules?type=demo.Produce')).status).toBe(400);
    await sql`delete from ${sql.table(`${api.database.schema}.job_schedules`)}`.execute(api.database.db);
  });

  it('GET /api/counts, /api/throughput and per-type stats', async () => {
    const counts = await api.get<CountsResponse>('/api/counts');
    expect(counts.status).toBe(200);
    const produced = counts.body.counts.find((row) => row.type === 'demo.Produce' && row.state === 'succeeded');
    expect(produced!.count).toBeGreaterThanOrEqual(26);
    expect(counts.body.succeededCountedAt).toBeNull();
    const health = await api.get<QueueHealthResponse>('/api/queue-health');
    expect(health.status).toBe(200);
    const produce = health.body.types.find((type) => type.type === 'demo.Produce')!;
    expect(produce.lastHour).toHaveLength(12);
    expect(produce.lastHour.reduce((sum, bucket) => sum + bucket.succeeded, 0)).toBeGreaterThanOrEqual(26);
    expect((await api.get('/api/queue-health?type=x')).status).toBe(400);
    const throughput = await api.get<ThroughputResponse>('/api/throughput?window=1h');
    expect(throughput.status).toBe(200);
    expect(throughput.body.buckets).toHaveLength(60);
    expect(throughput.body.bucketSeconds).toBe(60);
    expect(throughput.body.buckets.reduce((sum, bucket) => sum + bucket.succeeded, 0)).toBeGreaterThanOrEqual(26);
    const ofType = await api.get<ThroughputResponse>('/api/throughput?window=6h&type=demo.Slow');
    expect(ofType.body.buckets.reduce((sum, bucket) => sum + bucket.succeeded, 0)).toBe(0);
    const stats = await api.get<TypeStatsResponse>('/api/job-types/demo.Produce/stats');
    expect(stats.status).toBe(200);
    expect(stats.body.type.fullName).toBe('demo.Produce');
    expect(stats.body.sample.sampled).toBeGreaterThanOrEqual(26);
    expect(stats.body.runTimeMs.p50).not.toBeNull();
    expect(stats.body.runTimeMs.p95!).toBeGreaterThanOrEqual(stats.body.runTimeMs.p50!);
    expect(stats.body.inputBytes.max).toBeGreaterThan(0);
    expect(stats.body.counts.succeeded).toBeGreaterThanOrEqual(26);
    const empty = await api.get<TypeStatsResponse>('/api/job-types/7003/stats?sample=100');
    expect(empty.body.sample.sampled).toBe(0);
    expect(empty.body.runTimeMs.p50).toBeNull();
  });

  it('GET /api/jobs/:id/graph returns the workflow around a job, capped', async () => {
    await api.client.submit(demoJobs.refs.Produce, 'wf-a', { value: 1 });
    await api.client.submit(demoJobs.refs.Produce, 'wf-b', { value: 2 });
    const sum = await api.client.submit(demoJobs.refs.Combine, 'wf-sum', { label: 'sum' }, {
      dependsOn: [
        { type: demoJobs.refs.Produce, key: 'wf-a' },
        { type: demoJobs.refs.Produce, key: 'wf-b' },
      ],
    });
    await untilState(sum.id, 'succeeded');
    const { status, body } = await api.get<GraphResponse>(`/api/jobs/${sum.id}/graph`);
    expect(status).toBe(200);
    expect(body.nodes.map((node) => `${node.type}:${node.key}:${node.role}:${node.state}`).sort()).toEqual([
      'demo.Combine:wf-sum:root:succeeded',
      'demo.Produce:wf-a:ancestor:succeeded',
      'demo.Produce:wf-b:ancestor:succeeded',
    ]);
    expect(body.edges).toHaveLength(2);
    expect(body.edges.every((edge) => edge.to === sum.id)).toBe(true);
    expect(body.truncated).toBe(false);
    const parent = body.nodes.find((node) => node.key === 'wf-a')!;
    const fromParent = await api.get<GraphResponse>(`/api/jobs/${parent.id}/graph`);
    expect(fromParent.body.nodes.map((node) => node.key).sort()).toEqual(['wf-a', 'wf-sum']);
    expect(body.view).toBe('lineage');
    // The whole workflow from a parent: its sibling root too, which its lineage leaves out.
    const workflow = await api.get<GraphResponse>(`/api/jobs/${parent.id}/graph?view=workflow`);
    expect(workflow.body).toMatchObject({ view: 'workflow', truncated: false, limit: 5000 });
    expect(workflow.body.nodes.map((node) => `${node.key}:${node.role}`).sort()).toEqual(['wf-a:root', 'wf-b:related', 'wf-sum:descendant']);
    const capped = await api.get<GraphResponse>(`/api/jobs/${sum.id}/graph?limit=2`);
    expect(capped.body.truncated).toBe(true);
    expect(capped.body.nodes).toHaveLength(2);
    const detail = await api.get<JobDetailResponse>(`/api/jobs/${sum.id}`);
    expect(detail.body.dependencies.total).toBe(2);
    expect(detail.body.dependencies.jobs.map((job) => job.key)).toEqual(['wf-a', 'wf-b']);
    expect(JSON.parse(detail.body.output!.text)).toMatchObject({ sum: 6 });
  });
});

describe('workflow runs (issue 20)', () => {
  it('GET /api/workflows lists roots newest first with their jobs per state, page by page', async () => {
    const later = { runAt: new Date(Date.now() + 3_600_000) };
    const older = await api.client.submit(demoJobs.refs.Produce, 'runs-older', { value: 1 }, later);
    await api.client.submit(demoJobs.refs.Combine, 'runs-older-child', { label: 'a' }, { dependsOn: [{ type: demoJobs.refs.Produce, key: 'runs-older' }] });
    const newer = await api.client.submit(demoJobs.refs.Produce, 'runs-newer', { value: 2 }, later);
    await api.client.submit(demoJobs.refs.Combine, 'runs-newer-a', { label: 'a' }, { dependsOn: [{ type: demoJobs.refs.Produce, key: 'runs-newer' }] });
    await api.client.submit(demoJobs.refs.Combine, 'runs-newer-b', { label: 'b' }, { dependsOn: [{ type: demoJobs.refs.Combine, key: 'runs-newer-a' }] });
    // A plain job newer than both is no workflow.
    await api.client.submit(demoJobs.refs.Produce, 'runs-plain', { value: 3 }, later);
    const first = await api.get<WorkflowListResponse>('/api/workflows?limit=1');
    expect(first.status).toBe(200);
    expect(first.body.workflows).toEqual([
      { id: newer.id, type: 'demo.Produce', key: 'runs-newer', createdAt: expect.any(String), counts: { queued: 1, waiting: 2, running: 0, succeeded: 0, failed: 0, cancelled: 0 }, total: 3, truncated: false },
    ]);
    const second = await api.get<WorkflowListResponse>(`/api/workflows?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.workflows.map((run) => [run.id, run.total, run.counts.waiting])).toEqual([[older.id, 2, 1]]);
    expect((await api.get<ApiErrorBody>('/api/workflows?cursor=abc')).status).toBe(400);
  });
});

describe('changing', () => {
  it('groups failures by type and error, and retries a whole group', async () => {
    const submitted = await Promise.all([0, 1, 2].map((index) => api.client.submit(demoJobs.refs.Flaky, `triage-${index}`, { failTimes: 100 }, { maxAttempts: 1 })));
    for (const job of submitted) await untilState(job.id, 'failed');
    const listed = await api.get<FailureGroupsResponse>('/api/failures');
    expect(listed.status).toBe(200);
    const group = listed.body.groups.find((entry) => entry.type === 'demo.Flaky' && entry.state === 'failed' && entry.message === 'flaky failure 1')!;
    expect(group.count).toBeGreaterThanOrEqual(3);
    expect(new Date(group.firstSeenAt).getTime()).toBeLessThanOrEqual(new Date(group.lastSeenAt).getTime());

    expect((await api.post<ApiErrorBody>('/api/failures/action', { ...group, action: 'retry', state: 'retrying', count: undefined, firstSeenAt: undefined, lastSeenAt: undefined })).status).toBe(400);
    const { type, state, code, message } = group;
    expect((await api.post<ApiErrorBody>('/api/failures/action', { action: 'retry', type, state, code, message, extra: 1 })).status).toBe(400);
    const retried = await api.post<BulkResponse>('/api/failures/action', { action: 'retry', type, state, code, message });
    expect(retried.status).toBe(200);
    const ids = retried.body.results.filter((result) => result.ok).map((result) => result.id);
    for (const job of submitted) expect(ids).toContain(job.id);
    const detail = await api.get<JobDetailResponse>(`/api/jobs/${submitted[0]!.id}`);
    expect(detail.body.audit[0]).toMatchObject({ action: 'retry', details: { group: { type: 'demo.Flaky', state: 'failed', message: 'flaky failure 1' } } });
  });

  it('shows failed attempts with errors, then retries the job', async () => {
    const failed = await api.client.submit(demoJobs.refs.Flaky, 'always-fails', { failTimes: 100 }, { maxAttempts: 2 });
    await untilState(failed.id, 'failed');
    const { body } = await api.get<JobDetailResponse>(`/api/jobs/${failed.id}`);
    expect(body.attempts.map((attempt) => attempt.outcome)).toEqual(['failed', 'failed']);
    expect(body.attempts[1]!.error!.message).toBe('flaky failure 2');
    expect(body.attempts[1]!.error!.stack).toContain('flaky failure 2');
    expect(body.job.error!.message).toBe('flaky failure 2');
    expect(body.actions).toMatchObject({ retry: true, cancel: false });
    const listed = await api.get<JobListResponse>('/api/jobs?state=failed&type=demo.Flaky');
    expect(listed.body.jobs[0]).toMatchObject({ id: failed.id, error: { message: 'flaky failure 2' } });
    expect(body.audit).toEqual([]);
    const retried = await api.post<ActionResponse>(`/api/jobs/${failed.id}/retry`, undefined, { 'x-jobby-actor': 'Ana <script>' });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id: failed.id, action: 'retry', affected: [failed.id] });
    await until('the retried job to fail again', async () => (await api.get<JobDetailResponse>(`/api/jobs/${failed.id}`)).body.attempts.length === 4);
    const after = (await api.get<JobDetailResponse>(`/api/jobs/${failed.id}`)).body;
    // Attempts keep counting across the retry (the budget starts over: attempt 1 and 2 again).
    expect(after.attempts.map((attempt) => [attempt.number, attempt.attempt, attempt.cycle])).toEqual([[1, 1, 1], [2, 2, 1], [3, 1, 2], [4, 2, 2]]);
    // The audit trail: who retried it, when.
    expect(after.audit).toHaveLength(1);
    expect(after.audit[0]).toMatchObject({ actor: 'operator (Ana script)', action: 'retry', details: null });
    expect(Date.now() - new Date(after.audit[0]!.at).getTime()).toBeLessThan(60_000);
    const notFailed = await api.post<ApiErrorBody>(`/api/jobs/${(await api.client.submit(demoJobs.refs.Produce, 'ok-1', { value: 1 })).id}/retry`);
    expect([409]).toContain(notFailed.status);
  });

  it('runs a scheduled job now, cancels another, and refuses to cancel twice', async () => {
    const later = new Date(Date.now() + 3_600_000);
    const scheduled = await api.client.submit(demoJobs.refs.Produce, 'later', { value: 5 }, { runAt: later });
    const runNow = await api.post<ActionResponse>(`/api/jobs/${scheduled.id}/run-now`);
    expect(runNow.status).toBe(200);
    await untilState(scheduled.id, 'succeeded');
    const again = await api.post<ApiErrorBody>(`/api/jobs/${scheduled.id}/run-now`);
    expect(again.status).toBe(409);
    const doomed = await api.client.submit(demoJobs.refs.Produce, 'doomed', { value: 5 }, { runAt: later });
    const dependent = await api.client.submit(demoJobs.refs.Combine, 'doomed-child', { label: 'x' }, { dependsOn: [{ type: demoJobs.refs.Produce, key: 'doomed' }] });
    const cancelled = await api.post<ActionResponse>(`/api/jobs/${doomed.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.affected).toEqual([doomed.id, dependent.id]);
    expect(await jobState(dependent.id)).toBe('cancelled');
    const twice = await api.post<ApiErrorBody>(`/api/jobs/${doomed.id}/cancel`);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('CONFLICT');
    // Retrying the cancelled parent revives the child it took down.
    const retried = await api.post<ActionResponse>(`/api/jobs/${doomed.id}/retry`);
    expect(retried.body.affected.sort()).toEqual([doomed.id, dependent.id].sort());
    await untilState(dependent.id, 'succeeded');
  });

  it('re-runs a job with its subtree', async () => {
    const parent = await api.client.submit(demoJobs.refs.Produce, 'rerun-parent', { value: 3 });
    const child = await api.client.submit(demoJobs.refs.Combine, 'rerun-child', { label: 'c' }, { dependsOn: [{ type: demoJobs.refs.Produce, key: 'rerun-parent' }] });
    await untilState(child.id, 'succeeded');
    const rerun = await api.post<ActionResponse>(`/api/jobs/${parent.id}/rerun`);
    expect(rerun.status).toBe(200);
    expect(rerun.body.affected.sort()).toEqual([parent.id, child.id].sort());
    await untilState(child.id, 'succeeded');
    const queued = await api.client.submit(demoJobs.refs.Produce, 'rerun-queued', { value: 3 }, { runAt: new Date(Date.now() + 3_600_000) });
    expect((await api.post<ApiErrorBody>(`/api/jobs/${queued.id}/rerun`)).status).toBe(409);
  });

  it('bulk retries and cancels a selection, reporting each job', async () => {
    const later = new Date(Date.now() + 3_600_000);
    const a = await api.client.submit(demoJobs.refs.Produce, 'bulk-a', { value: 1 }, { runAt: later });
    const b = await api.client.submit(demoJobs.refs.Produce, 'bulk-b', { value: 1 }, { runAt: later });
    const cancelled = await api.post<BulkResponse>('/api/jobs/bulk', { action: 'cancel', ids: [a.id, b.id, '999999999'] });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.results.map((result) => [result.id, result.ok])).toEqual([
      [a.id, true],
      [b.id, true],
      ['999999999', false],
    ]);
    expect(cancelled.body.results[2]!.error!.code).toBe('JOB_NOT_FOUND');
    const retried = await api.post<BulkResponse>('/api/jobs/bulk', { action: 'retry', ids: [a.id, b.id] });
    expect(retried.body.results.every((result) => result.ok)).toBe(true);
    await untilState(a.id, 'succeeded');
    await untilState(b.id, 'succeeded');
  });

  it('filters queued jobs by kind: scheduled (waiting for run-at) apart from retrying', async () => {
    const scheduled = await api.client.submit(demoJobs.refs.Produce, 'kind-scheduled', { value: 1 }, { runAt: new Date(Date.now() + 3_600_000) });
    const listed = await api.get<JobListResponse>('/api/jobs?keyPrefix=kind-&state=scheduled');
    expect(listed.status).toBe(200);
    expect(listed.body.jobs.map((job) => job.id)).toEqual([scheduled.id]);
    expect((await api.get<JobListResponse>('/api/jobs?keyPrefix=kind-&state=retrying')).body.jobs).toEqual([]);
    const mixed = await api.get<ApiErrorBody>('/api/jobs?state=scheduled,failed');
    expect(mixed.status).toBe(400);
    expect(mixed.body.error.message).toContain('filters alone');
    await api.post(`/api/jobs/${scheduled.id}/cancel`);
  });

  it('counts the jobs matching a filter and cancels exactly those, server-side', async () => {
    const later = new Date(Date.now() + 3_600_000);
    const matching = [];
    for (let index = 0; index < 7; index++) matching.push(await api.client.submit(demoJobs.refs.Produce, `by-filter-${index}`, { value: 1 }, { runAt: later }));
    const other = await api.client.submit(demoJobs.refs.Produce, 'not-by-filter', { value: 1 }, { runAt: later });
    const count = await api.get<JobCountResponse>('/api/jobs/count?keyPrefix=by-filter-&state=queued');
    expect(count.status).toBe(200);
    expect(count.body).toEqual({ count: 7, capped: false, cap: 10_000 });
    expect((await api.get('/api/jobs/count?sort=created')).status).toBe(400);

    const both = await api.post<ApiErrorBody>('/api/jobs/bulk', { action: 'cancel', ids: [other.id], filter: { keyPrefix: 'by-filter-' } });
    expect(both.status).toBe(400);
    expect((await api.post<ApiErrorBody>('/api/jobs/bulk', { action: 'cancel', filter: { keyPrefix: 3 } })).status).toBe(400);
    expect((await api.post<ApiErrorBody>('/api/jobs/bulk', { action: 'cancel', filter: { colour: 'blue' } })).status).toBe(400);

    const cancelled = await api.post<BulkResponse>('/api/jobs/bulk', { action: 'cancel', filter: { keyPrefix: 'by-filter-', state: 'queued' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.results.map((result) => result.id).sort()).toEqual(matching.map((job) => job.id).sort());
    expect(cancelled.body.results.every((result) => result.ok)).toBe(true);
    for (const job of matching) expect(await jobState(job.id)).toBe('cancelled');
    expect(await jobState(other.id)).toBe('queued');
    expect((await api.get<JobCountResponse>('/api/jobs/count?keyPrefix=by-filter-&state=queued')).body.count).toBe(0);
  });
});

describe('validation: bad input is a 400 with a JSON error, never a 500', () => {
  const bad: [string, string][] = [
    ['/api/jobs?state=bogus', 'state must be one of'],
    ['/api/jobs?limit=0', 'limit must be between 1 and 500'],
    ['/api/jobs?limit=abc', 'limit must be an integer'],
    ['/api/jobs?limit=99999999999999999999', 'limit must be an integer'],
    ['/api/jobs?cursor=%%%', 'cursor is malformed'],
    ['/api/jobs?cursor=eyJpZCI6ImFiYyJ9', 'cursor is malformed'],
    ['/api/jobs?sort=name', 'sort must be one of'],
    ['/api/jobs?type=nope.Nothing', 'unknown job type'],
    ['/api/jobs?plugin=nope', 'unknown plugin'],
    ['/api/jobs?from=yesterday', 'from must be an ISO 8601 time'],
    ['/api/jobs?from=2026-13-45T00:00:00Z', 'from is not a valid time'],
    ['/api/jobs?from=-1h&to=-2h', 'from must be before to'],
    ['/api/jobs?timeField=updated', 'timeField must be one of'],
    ['/api/jobs?keyPrefix=' + 'x'.repeat(600), 'keyPrefix must be at most 512'],
    ['/api/jobs?stat=failed', 'unknown query parameter stat'],
    ['/api/jobs/abc', 'job id must be a positive integer'],
    ['/api/jobs/0', 'job id must be a positive integer'],
    ['/api/jobs/99999999999999999999', 'job id must be a positive integer'],
    ['/api/jobs/1/graph?limit=1', 'limit must be between 2 and 5000'],
    ['/api/jobs/1/graph?view=tree', 'view must be one of'],
    ['/api/throughput?window=1y', 'window must be one of'],
    ['/api/job-types/nope/stats', 'unknown job type'],
    ['/api/job-types/demo.Produce/stats?sample=5', 'sample must be between'],
  ];
  it.each(bad)('GET %s', async (path, message) => {
    const { status, body } = await api.get<ApiErrorBody>(path);
    expect(status).toBe(400);
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.message).toContain(message);
  });

  it('a page cursor of one sort order is refused by another', async () => {
    const page = await api.get<JobListResponse>('/api/jobs?limit=1');
    const { status, body } = await api.get<ApiErrorBody>(`/api/jobs?limit=1&sort=-finished&cursor=${page.body.nextCursor}`);
    expect(status).toBe(400);
    expect(body.error.message).toContain('another sort order');
  });

  it('404s are JSON too', async () => {
    expect((await api.get<ApiErrorBody>('/api/jobs/987654321')).status).toBe(404);
    expect((await api.get<ApiErrorBody>('/api/jobs/987654321/graph')).status).toBe(404);
    const unknown = await api.get<ApiErrorBody>('/api/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
  });

  it('rejects invalid submissions with field-level errors', async () => {
    const invalid = await api.post<ApiErrorBody>('/api/jobs', { type: 'demo.Produce', key: 'bad', input: { value: 'seven' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('PAYLOAD_INVALID');
    expect(invalid.body.error.details!.errors![0]).toMatchObject({ path: '/value', message: 'must be number' });
    const extra = await api.post<ApiErrorBody>('/api/jobs', { type: 'demo.Produce', key: 'bad', input: { value: 1, other: true } });
    expect(extra.body.error.code).toBe('PAYLOAD_INVALID');
    const cases: [unknown, string][] = [
      [{ type: 'demo.Combine', key: 'k', input: { label: 'x' } }, 'not submittable'],
      [{ type: 'nope.Job', key: 'k', input: {} }, 'unknown job type'],
      [{ type: 'demo.Produce', key: '', input: { value: 1 } }, 'key must be 1–512 characters'],
      [{ type: 'demo.Produce', key: 'k' }, 'input is missing'],
      [{ type: 'demo.Produce', key: 'k', input: { value: 1 }, extra: 1 }, 'unknown field extra'],
      [{ type: 'demo.Produce', key: 'k', input: { value: 1 }, maxAttempts: 0 }, 'maxAttempts must be an integer'],
      [{ type: 'demo.Produce', key: 'k', input: { value: 1 }, runAt: 'soon' }, 'runAt must be an ISO 8601 time'],
      [{ type: 'demo.Produce', key: 'k', input: { value: 1 }, dependsOn: 'x' }, 'dependsOn must be an array'],
      [{ type: 'demo.Produce', key: 'k', input: { value: 1 }, dependsOn: [{ type: 'demo.Produce' }] }, 'key must be a string'],
      [[1, 2], 'must be a JSON object'],
      ['{"type":', 'not valid JSON'],
    ];
    for (const [body, message] of cases) {
      const response = await api.post<ApiErrorBody>('/api/jobs', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.message).toContain(message);
    }
    const missingDependency = await api.post<ApiErrorBody>('/api/jobs', {
      type: 'demo.Produce',
      key: 'needs-ghost',
      input: { value: 1 },
      dependsOn: [{ type: 'demo.Produce', key: 'ghost' }],
    });
    expect(missingDependency.status).toBe(400);
    expect(missingDependency.body.error.code).toBe('DEPENDENCY_MISSING');
    const notJson = await api.post<ApiErrorBody>('/api/jobs', 'type=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.message).toContain('must be JSON');
    const badBulk = await api.post<ApiErrorBody>('/api/jobs/bulk', { action: 'delete', ids: ['1'] });
    expect(badBulk.status).toBe(400);
    const badIds = await api.post<ApiErrorBody>('/api/jobs/bulk', { action: 'retry', ids: ['x'] });
    expect(badIds.status).toBe(400);
  });
});

describe('security', () => {
  const submission = { type: 'demo.Produce', key: 'secure', input: { value: 1 } };

  it('mutations need the token; reads do not', async () => {
    const missing = await api.post<ApiErrorBody>('/api/jobs', submission, { authorization: '' });
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('UNAUTHORIZED');
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    const wrong = await api.post<ApiErrorBody>('/api/jobs/1/cancel', undefined, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect((await api.get('/api/jobs')).status).toBe(200);
  });

  it('without a configured token the server is read-only, and says how to enable changes', async () => {
    const readOnly = api.appWith({ token: '' });
    const saved = process.env.JOBBY_ADMIN_TOKEN;
    delete process.env.JOBBY_ADMIN_TOKEN;
    try {
      const app = api.appWith({ token: undefined });
      const response = await app.request('http://127.0.0.1/api/jobs', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${testToken}` },
        body: JSON.stringify(submission),
      });
      expect(response.status).toBe(401);
      const body = (await response.json()) as ApiErrorBody;
      expect(body.error.code).toBe('READ_ONLY');
      expect(body.error.message).toContain('JOBBY_ADMIN_TOKEN');
      const meta = (await (await app.request('http://127.0.0.1/api/meta')).json()) as MetaResponse;
      expect(meta).toMatchObject({ readOnly: true, tokenRequired: false, embeddedOpen: false });
      expect((await readOnly.request('http://127.0.0.1/api/jobs/1/cancel', { method: 'POST' })).status).toBe(401);
    } finally {
      if (saved !== undefined) process.env.JOBBY_ADMIN_TOKEN = saved;
    }
  });

  it('the token defaults to JOBBY_ADMIN_TOKEN', async () => {
    const saved = process.env.JOBBY_ADMIN_TOKEN;
    process.env.JOBBY_ADMIN_TOKEN = 'from-env';
    try {
      const app = api.appWith({ token: undefined });
      const response = await app.request('http://127.0.0.1/api/jobs/987654321/cancel', { method: 'POST', headers: { authorization: 'Bearer from-env' } });
      expect(response.status).toBe(404);
    } finally {
      if (saved === undefined) delete process.env.JOBBY_ADMIN_TOKEN;
      else process.env.JOBBY_ADMIN_TOKEN = saved;
    }
  });

  it('the embedded quick start allows mutations without a token, and says so', async () => {
    const app = api.appWith({ token: '', embedded: true });
    const meta = (await (await app.request('http://127.0.0.1/api/meta')).json()) as MetaResponse;
    expect(meta).toMatchObject({ embeddedOpen: true, readOnly: false });
    const response = await app.request('http://127.0.0.1/api/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(submission) });
    expect(response.status).toBe(201);
  });

  it('refuses cross-site mutations even with the token (403)', async () => {
    const crossSite = await api.post<ApiErrorBody>('/api/jobs', submission, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.message).toContain('cross-site');
    const sameSite = await api.post<ApiErrorBody>('/api/jobs', submission, { 'sec-fetch-site': 'same-site' });
    expect(sameSite.status).toBe(403);
    const foreignOrigin = await api.post<ApiErrorBody>('/api/jobs', submission, { origin: 'https://evil.example' });
    expect(foreignOrigin.status).toBe(403);
    const nullOrigin = await api.post<ApiErrorBody>('/api/jobs', submission, { origin: 'null' });
    expect(nullOrigin.status).toBe(403);
    const sameOrigin = await api.post<SubmitResponse>('/api/jobs', { ...submission, key: 'same-origin' }, { origin: 'http://127.0.0.1', 'sec-fetch-site': 'same-origin' });
    expect(sameOrigin.status).toBe(201);
  });

  it('beyond loopback, reads need a token: the read token only reads, the operator token reads and changes (issue 20)', async () => {
    const app = api.appWith({ host: '0.0.0.0', token: 'operator-secret', readToken: 'read-secret' });
    const call = (method: string, path: string, token?: string) =>
      app.request(`http://jobs.internal${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
    const anonymous = await call('GET', '/api/jobs');
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as ApiErrorBody).error.message).toContain('JOBBY_ADMIN_READ_TOKEN');
    expect((await call('GET', '/api/overview', 'wrong')).status).toBe(401);
    expect((await call('GET', '/api/events')).status).toBe(401);
    expect((await call('GET', '/api/jobs', 'read-secret')).status).toBe(200);
    expect((await call('GET', '/api/jobs', 'operator-secret')).status).toBe(200);
    const readCancels = await call('POST', '/api/jobs/987654321/cancel', 'read-secret');
    expect(readCancels.status).toBe(403);
    expect(((await readCancels.json()) as ApiErrorBody).error.message).toMatch(/read-only token .*operator token \(JOBBY_ADMIN_TOKEN\)/);
    expect((await call('POST', '/api/jobs/987654321/cancel', 'operator-secret')).status).toBe(404);
    // The UI learns from /api/meta (open) what to ask for, and what its token grants.
    const meta = async (token?: string) => (await (await call('GET', '/api/meta', token)).json()) as MetaResponse;
    expect(await meta()).toMatchObject({ readTokenRequired: true, tokenRequired: true, access: 'none', schema: '' });
    expect(await meta('read-secret')).toMatchObject({ access: 'read', schema: api.database.schema });
    expect(await meta('operator-secret')).toMatchObject({ access: 'operator' });
    // On loopback reads stay open, unless a read token is configured.
    expect((await api.get<MetaResponse>('/api/meta')).body).toMatchObject({ readTokenRequired: false, access: 'read' });
    const loopbackWithReadToken = api.appWith({ readToken: 'read-secret' });
    expect((await loopbackWithReadToken.request('http://127.0.0.1/api/jobs')).status).toBe(401);
    // An operator token alone beyond loopback: reads need it.
    const operatorOnly = api.appWith({ host: '10.1.2.3', token: 'operator-secret', readToken: '' });
    expect((await operatorOnly.request('http://10.1.2.3/api/jobs')).status).toBe(401);
    expect((await operatorOnly.request('http://10.1.2.3/api/jobs', { headers: { authorization: 'Bearer operator-secret' } })).status).toBe(200);
  });

  it('refuses to serve beyond loopback without any token, saying what to set', () => {
    expect(() => api.appWith({ host: '0.0.0.0', token: '', readToken: '' })).toThrow(/beyond loopback, without a token: set JOBBY_ADMIN_READ_TOKEN/);
    expect(() => api.appWith({ host: '127.0.0.2', token: '', readToken: '' })).not.toThrow();
  });

  it('refuses foreign Host names on a loopback server (DNS rebinding)', async () => {
    const response = await api.app.request('http://attacker.example/api/overview');
    expect(response.status).toBe(403);
    expect((await api.app.request('http://localhost/api/meta')).status).toBe(200);
    const anyHost = api.appWith({ host: '0.0.0.0' });
    expect((await anyHost.request('http://jobs.internal/api/meta')).status).toBe(200);
    expect((await anyHost.request('http://jobs.internal/api/overview', { headers: { authorization: `Bearer ${testToken}` } })).status).toBe(200);
  });

  it('limits request bodies (413)', async () => {
    const huge = JSON.stringify({ ...submission, input: { value: 1, padding: 'x'.repeat(1_200_000) } });
    const response = await api.post<ApiErrorBody>('/api/jobs', huge);
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('sends a strict content security policy', async () => {
    const { headers } = await api.get('/api/meta');
    expect(headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('the read database and the statement timeout (issue 20)', () => {
  const later = () => new Date(Date.now() + 3_600_000);

  it('reads from the read database (a replica); changes and the audit trail go to the primary', async () => {
    const replica = await createTestDatabase({ backend: 'postgres', poolSize: 2 });
    try {
      await createJobbyClient({ database: replica, registry: demoRegistry }).submit(demoJobs.refs.Produce, 'replica-only', { value: 1 }, { runAt: later() });
      const app = api.appWith({ readDatabase: replica });
      const list = async () => ((await (await app.request('http://127.0.0.1/api/jobs?keyPrefix=replica-&limit=10')).json()) as JobListResponse).jobs.map((job) => job.key);
      expect(await list()).toEqual(['replica-only']);
      const submitted = await app.request('http://127.0.0.1/api/jobs', {
        method: 'POST',
        headers: { authorization: `Bearer ${testToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'demo.Produce', key: 'replica-primary', input: { value: 1 }, runAt: later().toISOString() }),
      });
      expect(submitted.status).toBe(201);
      const written = await api.client.get(demoJobs.refs.Produce, 'replica-primary');
      expect(written).toMatchObject({ state: 'queued' });
      expect(await list()).toEqual(['replica-only']);
      const cancelled = await app.request(`http://127.0.0.1/api/jobs/${written!.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${testToken}` } });
      expect(cancelled.status).toBe(200);
      expect((await api.get<JobDetailResponse>(`/api/jobs/${written!.id}`)).body.audit.map((entry) => entry.action)).toContain('cancel');
    } finally {
      await replica.close();
    }
  });

  it('a read slower than the statement timeout answers 503 STATEMENT_TIMEOUT, and the next read works', async () => {
    const reads = await openDatabase({ connectionString: testPostgresUrl(), schema: api.database.schema, statementTimeoutMs: 150, poolSize: 1 });
    const locker = new pg.Client({ connectionString: testPostgresUrl() });
    await locker.connect();
    try {
      const app = api.appWith({ readDatabase: reads });
      // A real slow read: the records are locked by another transaction, so the read waits.
      await locker.query('begin');
      await locker.query(`lock table "${api.database.schema}".jobs in access exclusive mode`);
      const started = Date.now();
      const response = await app.request('http://127.0.0.1/api/jobs?limit=5');
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(response.status).toBe(503);
      const body = (await response.json()) as ApiErrorBody;
      expect(body.error.code).toBe('STATEMENT_TIMEOUT');
      expect(body.error.message).toContain('JOBBY_ADMIN_STATEMENT_TIMEOUT_MS');
      await locker.query('rollback');
      expect((await app.request('http://127.0.0.1/api/jobs?limit=5')).status).toBe(200);
    } finally {
      await locker.end();
      await reads.close();
    }
  });
});

describe('live updates (issue 20)', () => {
  /** Reads server-sent events from a response until `untilMs` has passed. */
  async function readEvents(response: Response, during: () => Promise<void>, windowMs: number): Promise<{ event: string; data: string; at: number }[]> {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const events: { event: string; data: string; at: number }[] = [];
    let buffer = '';
    const deadline = Date.now() + windowMs;
    const reading = (async () => {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return;
        buffer += decoder.decode(chunk.value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string) => block.split('\n').find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2) ?? '';
          if (field('event')) events.push({ event: field('event'), data: field('data'), at: Date.now() });
        }
      }
    })();
    await during();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())));
    await reader.cancel();
    await reading.catch(() => {});
    return events;
  }

  it('GET /api/events says what changed, at most once per interval however fast jobs run', async () => {
    const app = api.appWith({ liveIntervalMs: 250 });
    const response = await app.request('http://127.0.0.1/api/events');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const started = Date.now();
    const events = await readEvents(
      response,
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        for (let index = 0; index < 20; index++) await api.client.submit(demoJobs.refs.Produce, `live-${index}`, { value: index });
        await api.post('/api/job-types/demo.Slow/controls', { paused: true });
      },
      1_300,
    );
    await api.post('/api/job-types/demo.Slow/controls', { paused: false });
    const elapsed = Date.now() - started;
    expect(events[0]).toMatchObject({ event: 'ready', data: JSON.stringify({ intervalMs: 250 }) });
    const changes = events.filter((event) => event.event === 'change').map((event) => JSON.parse(event.data) as ChangeEvent);
    const topics = new Set(changes.flatMap((change) => change.topics));
    expect([...topics]).toEqual(expect.arrayContaining(['jobs', 'type:demo.Produce', 'controls', 'audit']));
    // 20 submissions and as many finishes, yet one event per 250 ms interval at most.
    expect(changes.length).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 1);
  });
});

describe('the UI', () => {
  it('says how to build it when it is not built', async () => {
    const response = await api.app.request('http://127.0.0.1/jobs/1');
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build -w @jobby/admin');
  });

  it('serves built files and falls back to index.html for client routes, never outside the UI folder', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'jobby-admin-ui-'));
    await writeFile(path.join(directory, 'index.html'), '<!doctype html><title>app</title>');
    await writeFile(path.join(directory, 'app.js'), 'console.log(1)');
    const app = api.appWith({ uiDirectory: directory });
    const file = await app.request('http://127.0.0.1/app.js');
    expect(file.headers.get('content-type')).toContain('text/javascript');
    const route = await app.request('http://127.0.0.1/jobs/42');
    expect(await route.text()).toContain('<title>app</title>');
    const traversal = await app.request('http://127.0.0.1/..%2f..%2fetc%2fpasswd');
    expect(await traversal.text()).toContain('<title>app</title>');
  });

  it('sends files and API answers compressed: brotli or gzip by Accept-Encoding, as they are without it', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'jobby-admin-ui-'));
    const script = `export const rows = [${Array.from({ length: 400 }, (_, index) => `{ id: ${index}, label: 'row ${index}' }`).join(', ')}];`;
    await writeFile(path.join(directory, 'index.html'), '<!doctype html><title>app</title>');
    await writeFile(path.join(directory, 'app.js'), script);
    const app = api.appWith({ uiDirectory: directory });
    const brotli = await app.request('http://127.0.0.1/app.js', { headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    expect(brotli.headers.get('content-encoding')).toBe('br');
    expect(brotli.headers.get('vary')).toContain('Accept-Encoding');
    const brotliBody = Buffer.from(await brotli.arrayBuffer());
    expect(brotliBody.length).toBeLessThan(script.length / 4);
    expect(brotliDecompressSync(brotliBody).toString()).toBe(script);
    const gzipped = await app.request('http://127.0.0.1/app.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gzipped.arrayBuffer())).toString()).toBe(script);
    const plain = await app.request('http://127.0.0.1/app.js');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(script);

    const overview = await app.request('http://127.0.0.1/api/overview', { headers: { 'accept-encoding': 'gzip' } });
    expect(overview.headers.get('content-encoding')).toBe('gzip');
    expect(JSON.parse(gunzipSync(Buffer.from(await overview.arrayBuffer())).toString())).toHaveProperty('plugins');
  });
});
