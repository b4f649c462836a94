import type { Hono } from 'hono';
import type { WorkflowListResponse } from '../../shared/api-types.js';
import { typeName, type AdminContext } from '../context.js';
import { badRequest } from '../http-error.js';
import { assertKnownParams, optionalInteger, optionalString, type Query } from '../params.js';

/**
 * GET /api/workflows?cursor=&limit=25 — workflow runs (the roots of dependency graphs), newest
 * first, with the states of their jobs (core's `workflowRunList`: bounded work per page). A page
 * may hold fewer runs than `limit` and still have a `nextCursor`: the scan behind it is capped.
 */
export function registerWorkflowRoutes(app: Hono, context: AdminContext): void {
  app.get('/api/workflows', async (c) => {
    const params = c.req.query() as Query;
    assertKnownParams(params, ['cursor', 'limit']);
    const limit = optionalInteger(params, 'limit', { min: 1, max: 100, fallback: 25 })!;
    const cursor = optionalString(params, 'cursor', { maxLength: 20 });
    if (cursor !== undefined && !/^[1-9]\d{0,18}$/.test(cursor)) throw badRequest(`cursor must be a job id from a previous page, got ${JSON.stringify(cursor)}`);
    const result = await context.admin.workflowRunList({ limit, ...(cursor ? { cursor } : {}) });
    const body: WorkflowListResponse = {
      workflows: result.runs.map((run) => ({
        id: run.id,
        type: typeName(context, run.typeId),
        key: run.key,
        createdAt: run.createdAt.toISOString(),
        counts: run.counts,
        total: run.total,
        truncated: run.truncated,
      })),
      nextCursor: result.nextCursor,
    };
    return c.json(body);
  });
}
