import type { Hono } from 'hono';
import type { GraphResponse } from '../../shared/api-types.js';
import { typeName, type AdminContext } from '../context.js';
import { notFound } from '../http-error.js';
import { assertKnownParams, jobIdParam, optionalInteger, type Query } from '../params.js';

/** GET /api/jobs/:id/graph?limit=500 — the workflow DAG around a job (ancestors and descendants). */
export function registerGraphRoutes(app: Hono, context: AdminContext): void {
  app.get('/api/jobs/:id/graph', async (c) => {
    const params = c.req.query() as Query;
    assertKnownParams(params, ['limit']);
    const id = jobIdParam(c.req.param('id'));
    const limit = optionalInteger(params, 'limit', { min: 2, max: 2000, fallback: 500 })!;
    const graph = await context.admin.jobGraph({ jobId: id, limit });
    if (!graph) throw notFound(`job ${id} does not exist`);
    const body: GraphResponse = {
      rootId: id,
      nodes: graph.nodes.map((node) => ({ id: node.id, typeId: node.typeId, type: typeName(context, node.typeId), key: node.key, state: node.state, role: node.role })),
      edges: graph.edges,
      truncated: graph.truncated,
      limit,
    };
    return c.json(body);
  });
}
