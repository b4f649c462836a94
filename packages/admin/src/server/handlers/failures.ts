import type { Hono } from 'hono';
import type { BulkResponse, FailureGroupsResponse } from '../../shared/api-types.js';
import { resolveType, typeName, type AdminContext } from '../context.js';
import { badRequest } from '../http-error.js';
import { assertKnownFields, assertKnownParams, bodyString, optionalInteger, type Query } from '../params.js';
import { readJson, runBulk } from './job-actions.js';
import { maxFilterJobs } from './jobs.js';

/**
 * Failure triage:
 * - GET /api/failures?limit=100 — failed and retrying jobs grouped by type and error (core's
 *   jobFailureGroups), with counts and first/last seen;
 * - POST /api/failures/action — `{ action: 'retry' | 'cancel', type, state, code, message }`:
 *   every job of that group (up to 10,000), each on its own, recorded in the audit trail.
 */
export function registerFailureRoutes(app: Hono, context: AdminContext): void {
  app.get('/api/failures', async (c) => {
    const params = c.req.query() as Query;
    assertKnownParams(params, ['limit']);
    const groups = await context.admin.jobFailureGroups({ limit: optionalInteger(params, 'limit', { min: 1, max: 500, fallback: 100 })! });
    const body: FailureGroupsResponse = {
      groups: groups.map((group) => ({
        type: typeName(context, group.typeId),
        state: group.state,
        code: group.code,
        message: group.message,
        count: group.count,
        firstSeenAt: group.firstSeenAt.toISOString(),
        lastSeenAt: group.lastSeenAt.toISOString(),
      })),
    };
    return c.json(body);
  });

  app.post('/api/failures/action', async (c) => {
    const body = await readJson(c);
    assertKnownFields(body, ['action', 'type', 'state', 'code', 'message'], 'the group action');
    if (body.action !== 'retry' && body.action !== 'cancel') throw badRequest('action must be retry or cancel', { field: 'action' });
    if (body.state !== 'failed' && body.state !== 'retrying') throw badRequest('state must be failed or retrying', { field: 'state' });
    if (body.action === 'retry' && body.state === 'retrying') throw badRequest('retrying jobs will run again by themselves; run them now from their pages, or cancel the group', { field: 'action' });
    const type = resolveType(context, bodyString(body, 'type', { minLength: 1, maxLength: 200 }));
    if (body.code !== null && typeof body.code !== 'string') throw badRequest('code must be a string or null', { field: 'code' });
    const message = bodyString(body, 'message', { maxLength: 200 });
    const key = { typeId: type.id, state: body.state as 'failed' | 'retrying', code: body.code as string | null, message };
    const ids = await context.admin.jobFailureGroupIds({ ...key, limit: maxFilterJobs + 1 });
    if (ids.length > maxFilterJobs) throw badRequest(`the group has more than ${maxFilterJobs} jobs; act on it in parts from the Jobs list`);
    const results = await runBulk(c, context, body.action, ids, { group: { type: type.fullName, state: key.state, code: key.code, message } });
    return c.json({ results } satisfies BulkResponse);
  });
}
