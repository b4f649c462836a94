import type { Hono } from 'hono';
import { jobListSorts, type JobListCursor, type JobListSort } from '@jobby/core/admin';
import type { AttemptInfo, JobCountResponse, JobDetailResponse, JobListResponse, PayloadView } from '../../shared/api-types.js';
import { typeName, type AdminContext } from '../context.js';
import { badRequest, notFound } from '../http-error.js';
import { durationMs, iso, toJobLink, toJobSummary } from '../mapping.js';
import { filterParams, matchingJobIds, parseJobFilter } from '../job-filter.js';
import { assertKnownParams, jobIdParam, optionalEnum, optionalInteger, optionalString, type Query } from '../params.js';

/**
 * Reading jobs:
 * - GET /api/jobs?plugin=&type=a,b&state=a,b&keyPrefix=&from=&to=&timeField=created|finished&sort=&cursor=&limit=
 * - GET /api/jobs/count?<the list's filters> — how many match (up to 10,000), for "all N matching"
 * - GET /api/jobs/:id — the detail page in one request
 * - GET /api/jobs/:id/input, /output — the whole payload as a JSON download
 */

const listParams = [...filterParams, 'sort', 'cursor', 'limit'];
/** The most jobs one bulk action on a filter changes (and /api/jobs/count counts). */
export const maxFilterJobs = 10_000;
export const previewBytes = 64 * 1024;
const neighbourLimit = 100;
/** Log lines a job's detail carries, the newest (an attempt keeps at most 1,001). */
const logLimit = 5_000;

export function registerJobRoutes(app: Hono, context: AdminContext): void {
  app.get('/api/jobs', async (c) => {
    const params = c.req.query() as Query;
    assertKnownParams(params, listParams);
    const now = new Date();
    const filter = parseJobFilter(context, params, now);
    if (!filter) return c.json({ jobs: [], nextCursor: null } satisfies JobListResponse);
    const cursorText = optionalString(params, 'cursor', { maxLength: 200 });
    const cursor = cursorText === undefined ? undefined : decodeCursor(cursorText);
    if (cursorText !== undefined && !cursor) throw badRequest('cursor is malformed; pass the nextCursor of a previous page');
    const sort: JobListSort = optionalEnum(params, 'sort', jobListSorts) ?? '-created';
    if (cursor && (sort === 'finished' || sort === '-finished') !== (cursor.finishedUs !== undefined)) {
      throw badRequest('cursor belongs to another sort order; start again without a cursor');
    }
    const result = await context.admin.jobList({
      ...filter,
      sort,
      cursor,
      limit: optionalInteger(params, 'limit', { min: 1, max: 500, fallback: 50 })!,
    });
    const runningIds = result.jobs.filter((job) => job.state === 'running').map((job) => job.id);
    const progress = new Map((await context.admin.jobRunningProgress({ jobIds: runningIds })).map((entry) => [entry.jobId, entry]));
    const body: JobListResponse = {
      jobs: result.jobs.map((job) => {
        const summary = toJobSummary(context, job, now);
        const reported = progress.get(job.id);
        return job.state === 'running' ? { ...summary, progress: reported ? { fraction: reported.progress, message: reported.message } : null } : summary;
      }),
      nextCursor: result.nextCursor ? encodeCursor(result.nextCursor) : null,
    };
    return c.json(body);
  });

  app.get('/api/jobs/count', async (c) => {
    const params = c.req.query() as Query;
    assertKnownParams(params, filterParams);
    const { ids, capped } = await matchingJobIds(context, parseJobFilter(context, params, new Date()), maxFilterJobs);
    return c.json({ count: ids.length, capped, cap: maxFilterJobs } satisfies JobCountResponse);
  });

  app.get('/api/jobs/:id', async (c) => {
    assertKnownParams(c.req.query() as Query, []);
    const id = jobIdParam(c.req.param('id'));
    const [job, attemptList, logs, neighbours, actions] = await Promise.all([
      context.admin.jobDetail({ jobId: id, previewBytes }),
      context.admin.jobAttemptList({ jobId: id }),
      context.admin.jobLogList({ jobId: id, limit: logLimit }),
      context.admin.jobNeighbours({ jobId: id, limit: neighbourLimit }),
      context.admin.adminActionList({ jobId: id, limit: 50 }),
    ]);
    if (!job) throw notFound(`job ${id} does not exist`);
    const now = job.databaseNow;
    const attempts: AttemptInfo[] = attemptList.map((attempt) => ({
      attempt: attempt.attempt,
      number: attempt.number,
      cycle: attempt.cycle,
      outcome: attempt.outcome,
      workerId: attempt.workerId,
      startedAt: iso(attempt.startedAt),
      finishedAt: iso(attempt.finishedAt),
      durationMs: attempt.outcome === 'running' ? durationMs(attempt.startedAt, now) : durationMs(attempt.startedAt, attempt.finishedAt),
      error: attempt.error ? errorView(attempt.error) : null,
      progress: attempt.progress,
      progressMessage: attempt.progressMessage,
      logs: logs.lines
        .filter((line) => line.attemptNumber === attempt.number)
        .map((line) => ({ at: line.at.toISOString(), level: line.level, message: line.message, data: line.data })),
    }));
    const type = context.registry.byId(job.typeId);
    const payload = (which: 'input' | 'output', bytes: number, preview: string): PayloadView => ({
      bytes,
      text: preview,
      truncated: bytes > previewBytes,
      downloadUrl: `/api/jobs/${id}/${which}`,
    });
    const error = job.lastError;
    const state = job.state;
    const body: JobDetailResponse = {
      job: {
        ...toJobSummary(context, { ...job, error: error ? { code: error.code, message: error.message } : null }, now),
        readyAt: iso(job.readyAt),
        leaseExpiresAt: iso(job.leaseExpiresAt),
        expiresAt: iso(job.expiresAt),
        submittable: type?.submittable ?? false,
        error: error ? errorView(error) : null,
      },
      timings: {
        waitMs: durationMs(job.createdAt, job.readyAt),
        queueDelayMs: durationMs(job.readyAt, job.firstStartedAt ?? job.startedAt),
        runMs: state === 'running' ? durationMs(job.startedAt, now) : durationMs(job.startedAt, job.finishedAt),
        totalMs: durationMs(job.createdAt, job.finishedAt),
      },
      attempts,
      logsOmitted: logs.total - logs.lines.length,
      audit: actions.map((entry) => ({ at: entry.at.toISOString(), actor: entry.actor, action: entry.action, details: entry.details })),
      input: payload('input', job.inputBytes || job.input.textBytes, job.input.preview),
      output: job.output === null ? null : payload('output', job.outputBytes ?? job.output.textBytes, job.output.preview),
      dependencies: { jobs: neighbours.dependencies.jobs.map((link) => toJobLink(context, link)), total: neighbours.dependencies.total },
      dependents: { jobs: neighbours.dependents.jobs.map((link) => toJobLink(context, link)), total: neighbours.dependents.total },
      actions: {
        retry: state === 'failed' || state === 'cancelled',
        cancel: state === 'queued' || state === 'waiting' || state === 'running',
        runNow: state === 'queued',
        rerun: state === 'succeeded' || state === 'failed' || state === 'cancelled',
      },
    };
    return c.json(body);
  });

  for (const which of ['input', 'output'] as const) {
    app.get(`/api/jobs/:id/${which}`, async (c) => {
      assertKnownParams(c.req.query() as Query, []);
      const id = jobIdParam(c.req.param('id'));
      const found = await context.admin.jobPayload({ jobId: id, which });
      if (!found) throw notFound(`job ${id} does not exist`);
      if (found.text === null) throw notFound(`job ${id} has no ${which}`);
      const file = `${typeName(context, found.typeId)}-${found.key}-${which}.json`.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 150);
      return c.body(found.text, 200, {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="${file}"`,
      });
    });
  }
}

/** Cursors are opaque to clients: base64url JSON of core's `JobListCursor`. */
export function encodeCursor(cursor: JobListCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Parses a cursor from a query string; undefined when malformed (the caller answers 400). */
export function decodeCursor(text: string): JobListCursor | undefined {
  if (text.length > 200 || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const { id, finishedUs } = value as Record<string, unknown>;
    if (typeof id !== 'string' || !/^\d{1,18}$/.test(id)) return undefined;
    if (finishedUs !== undefined && (typeof finishedUs !== 'string' || !/^-?\d{1,18}$/.test(finishedUs))) return undefined;
    return { id, ...(finishedUs !== undefined ? { finishedUs } : {}) };
  } catch {
    return undefined;
  }
}

/** A stored error for the detail: its details only when it has some. */
function errorView(error: { code: string; message: string; stack?: string; details?: Record<string, unknown> }): AttemptInfo['error'] {
  return {
    code: error.code,
    message: error.message,
    ...(error.stack ? { stack: error.stack } : {}),
    ...(error.details && Object.keys(error.details).length > 0 ? { details: error.details } : {}),
  };
}
