import type { Hono } from 'hono';
import type { JobStateName, TypeStatsResponse } from '../../shared/api-types.js';
import { resolveType, type AdminContext } from '../context.js';
import { assertKnownParams, optionalInteger, type Query } from '../params.js';
import { jobTypeInfo } from './overview.js';

/** GET /api/job-types/:type/stats?sample=2000 — percentiles and sizes of one job type. */
export function registerJobTypeRoutes(app: Hono, context: AdminContext): void {
  app.get('/api/job-types/:type/stats', async (c) => {
    const params = c.req.query() as Query;
    assertKnownParams(params, ['sample']);
    const type = resolveType(context, c.req.param('type'));
    const sample = optionalInteger(params, 'sample', { min: 10, max: 20_000, fallback: 2_000 })!;
    const [stats, counts] = await Promise.all([
      context.admin.jobTypeStats({ typeId: type.id, sample }),
      context.admin.jobCountByTypeAndState({ typeIds: [type.id] }),
    ]);
    const byState: Partial<Record<JobStateName, number>> = {};
    for (const row of counts) if (row.typeId === type.id) byState[row.state] = row.count;
    const body: TypeStatsResponse = {
      type: jobTypeInfo(context, type.fullName),
      counts: byState,
      // Live: finished counts come from the rollups (see /api/counts).
      succeededCountedAt: null,
      sample: {
        sampled: stats.sampled,
        limit: stats.sampleLimit,
        oldestFinishedAt: stats.oldestFinishedAt?.toISOString() ?? null,
        newestFinishedAt: stats.newestFinishedAt?.toISOString() ?? null,
      },
      runTimeMs: stats.runTimeMs,
      queueDelayMs: stats.queueDelayMs,
      inputBytes: stats.inputBytes,
      outputBytes: stats.outputBytes,
    };
    return c.json(body);
  });
}
