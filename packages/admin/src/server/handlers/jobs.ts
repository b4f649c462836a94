import type { Hono } from 'hono';
import type { JobState } from '@jobby/core';
import { toStoredError } from '@jobby/core/store';
import { jobStateNames, type AttemptInfo, type JobDetailResponse, type JobListResponse, type JobStateName, type PayloadView } from '../../shared/api-types.js';
import { resolveType, typeName, type AdminContext } from '../context.js';
import { badRequest, notFound } from '../http-error.js';
import { durationMs, iso, toJobLink, toJobSummary } from '../mapping.js';
import { assertKnownParams, jobIdParam, optionalEnum, optionalInteger, optionalList, optionalString, optionalTime, type Query } from '../params.js';
import { jobDetail, jobPayload } from '../queries/job-detail.js';
import { decodeCursor, encodeCursor, jobSorts, listJobs, type JobSort } from '../queries/job-list.js';
import { query } from '../queries/tables.js';

/**
 * Reading jobs:
 * - GET /api/jobs?plugin=&type=a,b&state=a,b&keyPrefix=&from=&to=&timeField=created|finished&sort=&cursor=&limit=
 * - GET /api/jobs/:id — the detail page in one request
 * - GET /api/jobs/:id/input, /output — the whole payload as a JSON download
 */

const listParams = ['plugin', 'type', 'state', 'keyPrefix', 'from', 'to', 'timeField', 'sort', 'cursor', 'limit'];
export const previewBytes = 64 * 1024;
const neighbourLimit = 100;

export function registerJobRoutes(app: Hono, context: AdminContext): void {
  const environment = {
    tables: context.tables,
    pool: context.database.pool,
    allTypeIds: async () => (await query<{ id: number }>(context.database.pool, `select id from ${context.tables.jobTypes}`)).map((row) => row.id),
    keyRangeUsable: () => context.keyRangeUsable(),
  };

  app.get('/api/jobs', async (c) => {
    const params = c.req.query() as Query;
    assertKnownParams(params, listParams);
    const states = optionalList(
      params,
      'state',
      (value) => {
        if (!(jobStateNames as readonly string[]).includes(value)) throw badRequest(`state must be one of ${jobStateNames.join(', ')}, got ${JSON.stringify(value.slice(0, 40))}`);
        return value as JobState;
      },
      { maxItems: 6 },
    );
    let typeIds = optionalList(params, 'type', (value) => resolveType(context, value).id, { maxItems: 100 });
    const pluginName = optionalString(params, 'plugin', { maxLength: 200 });
    if (pluginName !== undefined) {
      const plugin = context.registry.plugins.find((entry) => entry.name === pluginName);
      if (!plugin) throw badRequest(`unknown plugin ${JSON.stringify(pluginName)}; known: ${context.registry.plugins.map((entry) => entry.name).join(', ')}`);
      const pluginTypeIds = plugin.jobTypes.map((entry) => entry.id);
      typeIds = typeIds ? typeIds.filter((id) => pluginTypeIds.includes(id)) : pluginTypeIds;
      // A type of another plugin: nothing can match.
      if (typeIds.length === 0) return c.json({ jobs: [], nextCursor: null } satisfies JobListResponse);
    }
    const keyPrefix = optionalString(params, 'keyPrefix', { maxLength: 512 });
    const now = new Date();
    const from = optionalTime(params, 'from', now);
    const to = optionalTime(params, 'to', now);
    if (from && to && from >= to) throw badRequest('from must be before to');
    const cursorText = optionalString(params, 'cursor', { maxLength: 200 });
    const cursor = cursorText === undefined ? undefined : decodeCursor(cursorText);
    if (cursorText !== undefined && !cursor) throw badRequest('cursor is malformed; pass the nextCursor of a previous page');
    const sort: JobSort = optionalEnum(params, 'sort', jobSorts) ?? '-created';
    if (cursor && (sort === 'finished' || sort === '-finished') !== (cursor.finishedUs !== undefined)) {
      throw badRequest('cursor belongs to another sort order; start again without a cursor');
    }
    const result = await listJobs(environment, {
      states,
      typeIds,
      keyPrefix,
      from,
      to,
      timeField: optionalEnum(params, 'timeField', ['created', 'finished'] as const) ?? 'created',
      sort,
      cursor,
      limit: optionalInteger(params, 'limit', { min: 1, max: 500, fallback: 50 })!,
    });
    const body: JobListResponse = {
      jobs: result.rows.map((row) => toJobSummary(context, row, now)),
      nextCursor: result.nextCursor ? encodeCursor(result.nextCursor) : null,
    };
    return c.json(body);
  });

  app.get('/api/jobs/:id', async (c) => {
    assertKnownParams(c.req.query() as Query, []);
    const id = jobIdParam(c.req.param('id'));
    const [found, attemptRows] = await Promise.all([
      jobDetail({ pool: context.database.pool, tables: context.tables }, { jobId: id, previewBytes, neighbourLimit }),
      context.store.jobAttemptList(id),
    ]);
    if (!found) throw notFound(`job ${id} does not exist`);
    const { job, neighbours } = found;
    const now = job.database_now;
    const error = toStoredError(job.last_error);
    const attempts: AttemptInfo[] = attemptRows.map((attempt) => ({
      attempt: attempt.attempt,
      outcome: attempt.outcome,
      workerId: attempt.workerId,
      startedAt: iso(attempt.startedAt),
      finishedAt: iso(attempt.finishedAt),
      durationMs: durationMs(attempt.startedAt, attempt.finishedAt),
      error: attempt.error ? { code: attempt.error.code, message: attempt.error.message, ...(attempt.error.stack ? { stack: attempt.error.stack } : {}) } : null,
    }));
    // The attempt that succeeded, or the one running now, lives on the job row itself. History rows
    // are chronological; after a retry, attempt numbers start again at 1, so match on the start time.
    const recorded = attemptRows.some((attempt) => attempt.attempt === job.attempts && attempt.startedAt?.getTime() === job.started_at?.getTime());
    if ((job.state === 'succeeded' || job.state === 'running') && !recorded) {
      attempts.push({
        attempt: job.attempts,
        outcome: job.state,
        workerId: job.worker_id,
        startedAt: iso(job.started_at),
        finishedAt: iso(job.finished_at),
        durationMs: job.state === 'running' ? durationMs(job.started_at, now) : durationMs(job.started_at, job.finished_at),
        error: null,
      });
    }
    const type = context.registry.byId(job.type_id);
    const payload = (which: 'input' | 'output', bytes: number, preview: string): PayloadView => ({
      bytes,
      text: preview,
      truncated: bytes > previewBytes,
      downloadUrl: `/api/jobs/${id}/${which}`,
    });
    const links = (direction: 'dependency' | 'dependent') => {
      const rows = neighbours.filter((row) => row.direction === direction);
      return { jobs: rows.map((row) => toJobLink(context, row)), total: rows[0]?.total ?? 0 };
    };
    const state = job.state as JobStateName;
    const body: JobDetailResponse = {
      job: {
        ...toJobSummary(
          context,
          {
            ...job,
            finished_us: null,
            error_code: error?.code ?? null,
            error_message: error?.message ?? null,
          },
          now,
        ),
        readyAt: iso(job.ready_at),
        leaseExpiresAt: iso(job.lease_expires_at),
        expiresAt: iso(job.expires_at),
        submittable: type?.submittable ?? false,
        error: error ? { code: error.code, message: error.message, ...(error.stack ? { stack: error.stack } : {}) } : null,
      },
      timings: {
        waitMs: durationMs(job.created_at, job.ready_at),
        queueDelayMs: durationMs(job.ready_at, job.first_started_at ?? job.started_at),
        runMs: state === 'running' ? durationMs(job.started_at, now) : durationMs(job.started_at, job.finished_at),
        totalMs: durationMs(job.created_at, job.finished_at),
      },
      attempts,
      input: payload('input', job.input_bytes || job.input_text_bytes, job.input_preview),
      output: job.output_preview === null ? null : payload('output', job.output_bytes ?? job.output_text_bytes ?? 0, job.output_preview),
      dependencies: links('dependency'),
      dependents: links('dependent'),
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
      const found = await jobPayload({ pool: context.database.pool, tables: context.tables }, { jobId: id, which });
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
