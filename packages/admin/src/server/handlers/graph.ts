import type { Hono } from 'hono';
import { graphViews, type GraphResponse, type GraphView } from '../../shared/api-types.js';
import { typeName, type AdminContext } from '../context.js';
import { notFound } from '../http-error.js';
import { assertKnownParams, jobIdParam, optionalEnum, optionalInteger, type Query } from '../params.js';

/** Most jobs a graph may ask for: the whole-workflow view's default cap. */
export const graphLimitMax = 5_000;

/**
 * GET /api/jobs/:id/graph?view=lineage|workflow&limit=N — a job's workflow graph:
 * `lineage` (the default) is the job's ancestors and descendants (capped at 500 unless `limit`
 * says otherwise), `workflow` every job connected to it (capped at 5,000), both bounded walks in
 * core (`jobGraph`, `workflowGraph`).
 */
export function registerGraphRoutes(app: Hono, context: AdminContext): void {
  app.get('/api/jobs/:id/graph', async (c) => {
    const params = c.req.query() as Query;
    assertKnownParams(params, ['limit', 'view']);
    const id = jobIdParam(c.req.param('id'));
    const view: GraphView = optionalEnum(params, 'view', graphViews) ?? 'lineage';
    const limit = optionalInteger(params, 'limit', { min: 2, max: graphLimitMax, fallback: view === 'workflow' ? graphLimitMax : 500 })!;
    const graph = view === 'workflow' ? await context.admin.workflowGraph({ jobId: id, limit }) : await context.admin.jobGraph({ jobId: id, limit });
    if (!graph) throw notFound(`job ${id} does not exist`);
    const body: GraphResponse = {
      rootId: id,
      view,
      nodes: graph.nodes.map((node) => ({ id: node.id, typeId: node.typeId, type: typeName(context, node.typeId), key: node.key, state: node.state, role: node.role })),
      edges: graph.edges,
      truncated: graph.truncated,
      limit,
    };
    return c.json(body);
  });
}
