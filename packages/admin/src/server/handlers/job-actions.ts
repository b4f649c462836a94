import type { Context, Hono } from 'hono';
import { JobbyError, maxPriority, minPriority, type JobTypeRef } from '@jobby/core';
import type { ActionResponse, BulkResponse, JobAction, SubmitResponse } from '../../shared/api-types.js';
import { resolveType, type AdminContext } from '../context.js';
import { recordAction } from '../audit.js';
import { filterFromBody, matchingJobIds, parseJobFilter } from '../job-filter.js';
import { maxFilterJobs } from './jobs.js';
import { AdminHttpError, badRequest, toErrorResponse } from '../http-error.js';
import { asObject, assertKnownFields, bodyOptionalInteger, bodyString, jobIdParam } from '../params.js';

/**
 * Changing jobs (each needs the token; see security.ts):
 * - POST /api/jobs — submit `{ type, key, input, dependsOn?, maxAttempts?, priority?, runAt? }`,
 *   validated by the typed client exactly as application code's submissions are
 * - POST /api/jobs/:id/retry | cancel | run-now | rerun
 * - POST /api/jobs/bulk — `{ action: 'retry' | 'cancel', ids: [...] }` or `{ action, filter: {...} }`
 *   (every job matching the Jobs list's filter, up to 10,000), each job on its own
 */

const maxBulk = 500;

export async function readJson(c: Context): Promise<Record<string, unknown>> {
  const contentType = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(contentType)) throw badRequest('the request body must be JSON (content-type: application/json)');
  let body: unknown;
  try {
    body = await c.req.json();
  } catch (error) {
    if (error instanceof AdminHttpError) throw error;
    throw badRequest('the request body is not valid JSON');
  }
  return asObject(body, 'the request body');
}

export function registerJobActionRoutes(app: Hono, context: AdminContext): void {
  app.post('/api/jobs', async (c) => {
    const body = await readJson(c);
    assertKnownFields(body, ['type', 'key', 'input', 'dependsOn', 'maxAttempts', 'priority', 'runAt'], 'the submission');
    const type = resolveType(context, bodyString(body, 'type', { minLength: 1, maxLength: 200 }));
    if (!type.submittable) throw badRequest(`${type.fullName} is not submittable from the admin UI (its plugin marks it submittable: false)`, { field: 'type' });
    const key = bodyString(body, 'key', { minLength: 1, maxLength: 512 });
    if (!('input' in body)) throw badRequest('input is missing', { field: 'input' });
    let dependsOn: { type: JobTypeRef; key: string }[] | undefined;
    if (body.dependsOn !== undefined && body.dependsOn !== null) {
      if (!Array.isArray(body.dependsOn) || body.dependsOn.length > 100) throw badRequest('dependsOn must be an array of at most 100 { type, key }', { field: 'dependsOn' });
      dependsOn = body.dependsOn.map((item, index) => {
        const dependency = asObject(item, `dependsOn[${index}]`);
        assertKnownFields(dependency, ['type', 'key'], `dependsOn[${index}]`);
        return {
          type: resolveType(context, bodyString(dependency, 'type', { minLength: 1, maxLength: 200 })).ref,
          key: bodyString(dependency, 'key', { minLength: 1, maxLength: 512 }),
        };
      });
    }
    let runAt: Date | undefined;
    if (body.runAt !== undefined && body.runAt !== null && body.runAt !== '') {
      runAt = typeof body.runAt === 'string' ? new Date(body.runAt) : new Date(Number.NaN);
      if (Number.isNaN(runAt.getTime())) throw badRequest('runAt must be an ISO 8601 time', { field: 'runAt' });
    }
    const result = await context.client.submit(type.ref, key, body.input, {
      dependsOn,
      maxAttempts: bodyOptionalInteger(body, 'maxAttempts', { min: 1, max: 1000 }),
      priority: bodyOptionalInteger(body, 'priority', { min: minPriority, max: maxPriority }),
      runAt,
    });
    context.logger.info({ id: result.id, type: result.type, key, created: result.created }, 'admin: job submitted');
    const response: SubmitResponse = { id: result.id, type: result.type, key: result.key, created: result.created, state: result.state };
    return c.json(response, result.created ? 201 : 200);
  });

  app.post('/api/jobs/bulk', async (c) => {
    const body = await readJson(c);
    assertKnownFields(body, ['action', 'ids', 'filter'], 'the bulk request');
    if (body.action !== 'retry' && body.action !== 'cancel') throw badRequest('action must be retry or cancel', { field: 'action' });
    if ((body.ids === undefined) === (body.filter === undefined)) throw badRequest('pass either ids (the selected jobs) or filter (every job matching it)', { field: 'ids' });
    let ids: string[];
    if (body.filter !== undefined) {
      const matching = await matchingJobIds(context, parseJobFilter(context, filterFromBody(body.filter), new Date()), maxFilterJobs);
      if (matching.capped) throw badRequest(`more than ${maxFilterJobs} jobs match this filter; narrow it (by type, state or time) and act in parts`, { field: 'filter' });
      ids = matching.ids;
    } else {
      if (!Array.isArray(body.ids) || body.ids.length === 0 || body.ids.length > maxBulk) throw badRequest(`ids must be an array of 1–${maxBulk} job ids`, { field: 'ids' });
      ids = body.ids.map((id) => jobIdParam(typeof id === 'string' ? id : String(id)));
    }
    const results = await runBulk(c, context, body.action, ids, { bulk: true, ...(body.filter !== undefined ? { filter: body.filter as Record<string, unknown> } : {}) });
    return c.json({ results } satisfies BulkResponse);
  });

  for (const action of ['retry', 'cancel', 'run-now', 'rerun'] as const) {
    app.post(`/api/jobs/:id/${action}`, async (c) => {
      const id = jobIdParam(c.req.param('id'));
      const outcome = await runAction(context, id, action);
      context.logger.info({ id, action, affected: outcome.affected.length }, 'admin: job action');
      await recordAction(c, context, { action, jobIds: [id], ...(outcome.affected.length > 1 ? { details: { alsoChanged: outcome.affected.filter((other) => other !== id).slice(0, 100) } } : {}) });
      return c.json({ id, action, ...outcome } satisfies ActionResponse);
    });
  }
}

/**
 * Runs one action on many jobs, one job at a time, each in its own transaction (one job's refusal
 * never undoes another's), and records the jobs it changed in the audit trail.
 */
export async function runBulk(c: Context, context: AdminContext, action: 'retry' | 'cancel', ids: readonly string[], details: Record<string, unknown>): Promise<BulkResponse['results']> {
  const results: BulkResponse['results'] = [];
  for (const id of new Set(ids)) {
    try {
      const outcome = await runAction(context, id, action);
      results.push({ id, ok: true, affected: outcome.affected });
    } catch (error) {
      const { body: errorBody, unexpected } = toErrorResponse(error);
      if (unexpected) context.logger.error({ err: error, id, action }, 'admin: bulk action failed');
      results.push({ id, ok: false, affected: [], error: { code: errorBody.error.code, message: errorBody.error.message } });
    }
  }
  context.logger.info({ action, jobs: ids.length, failed: results.filter((result) => !result.ok).length }, 'admin: bulk action');
  const changed = results.filter((result) => result.ok).map((result) => result.id);
  if (changed.length > 0) await recordAction(c, context, { action, jobIds: changed, details });
  return results;
}

async function runAction(context: AdminContext, id: string, action: JobAction): Promise<{ affected: string[]; message: string }> {
  switch (action) {
    case 'retry': {
      const job = await context.store.jobGet(id);
      if (!job) throw new JobbyError('JOB_NOT_FOUND', `job ${id} does not exist`);
      if (job.ok && job.value.state !== 'failed' && job.value.state !== 'cancelled') {
        throw new AdminHttpError(409, 'CONFLICT', `job ${id} is ${job.value.state}; only failed or cancelled jobs can be retried`);
      }
      const { reset } = await context.store.jobRetry(id);
      return { affected: reset, message: reset.length > 1 ? `job ${id} and ${reset.length - 1} cancelled dependents will run again` : `job ${id} will run again` };
    }
    case 'rerun': {
      await assertFinished(context, id, 're-run');
      const { reset } = await context.store.jobRerun(id);
      return { affected: reset, message: `job ${id} and its subtree (${reset.length} jobs) will run again` };
    }
    case 'cancel': {
      const result = await context.store.jobCancel(id, 'cancelled from the admin UI');
      if (!result.cancelled) throw new AdminHttpError(409, 'CONFLICT', `job ${id} is already ${result.previousState}; only queued, waiting or running jobs can be cancelled`);
      return { affected: [id, ...result.cancelledDescendants], message: `job ${id} cancelled${result.cancelledDescendants.length > 0 ? `, and ${result.cancelledDescendants.length} waiting dependents` : ''}` };
    }
    case 'run-now': {
      const changed = await context.store.jobRunNow(id);
      if (!changed) {
        const job = await context.store.jobGet(id);
        if (!job) throw new JobbyError('JOB_NOT_FOUND', `job ${id} does not exist`);
        throw new AdminHttpError(409, 'CONFLICT', `job ${id} is ${job.ok ? job.value.state : 'unreadable'}; only queued jobs can be run now`);
      }
      return { affected: [id], message: `job ${id} is due now` };
    }
  }
}

/** Re-running a job that is still queued or running would race its worker; the core store allows it, the UI does not. */
async function assertFinished(context: AdminContext, id: string, what: string): Promise<void> {
  const job = await context.store.jobGet(id);
  if (!job) throw new JobbyError('JOB_NOT_FOUND', `job ${id} does not exist`);
  if (job.ok && !['succeeded', 'failed', 'cancelled'].includes(job.value.state)) {
    throw new AdminHttpError(409, 'CONFLICT', `job ${id} is ${job.value.state}; only finished jobs can be ${what}`);
  }
}
