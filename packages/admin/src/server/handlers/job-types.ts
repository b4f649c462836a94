import type { Hono } from 'hono';
import { recordAction } from '../audit.js';
import type { ControlsResponse, JobStateName, TypeControlsResponse, TypeStatsResponse } from '../../shared/api-types.js';
import { resolveType, type AdminContext } from '../context.js';
import { badRequest } from '../http-error.js';
import { asObject, assertKnownFields, assertKnownParams, optionalInteger, type Query } from '../params.js';
import { jobTypeInfo } from './overview.js';

/**
 * GET /api/job-types/:type/stats?sample=2000 — percentiles and sizes of one job type.
 * GET /api/controls — every registered type's flow control, for the Controls page.
 * GET /api/job-types/:type/controls — its flow control; POST (needs the token) changes it:
 * `{ paused?: boolean, concurrency?: number | null, rate?: { limit: number, intervalMs: number } | null }`.
 */
export function registerJobTypeRoutes(app: Hono, context: AdminContext): void {
  app.get('/api/controls', async (c) => {
    assertKnownParams(c.req.query() as Query, []);
    const controls = new Map((await context.readStore.jobTypeControlList()).map((entry) => [entry.typeId, entry]));
    const body: ControlsResponse = {
      types: context.registry.jobTypes.map((type) => {
        const control = controls.get(type.id);
        return { type: type.fullName, paused: control?.paused ?? false, concurrency: control?.concurrency ?? null, rate: control?.rate ?? null };
      }),
    };
    return c.json(body);
  });

  app.get('/api/job-types/:type/controls', async (c) => {
    assertKnownParams(c.req.query() as Query, []);
    const type = resolveType(context, c.req.param('type'));
    const control = (await context.readStore.jobTypeControlList()).find((entry) => entry.typeId === type.id);
    const body: TypeControlsResponse = { type: type.fullName, paused: control?.paused ?? false, concurrency: control?.concurrency ?? null, rate: control?.rate ?? null };
    return c.json(body);
  });

  app.post('/api/job-types/:type/controls', async (c) => {
    const type = resolveType(context, c.req.param('type'));
    let parsed: unknown;
    try {
      parsed = await c.req.json();
    } catch {
      throw badRequest('the request body is not valid JSON');
    }
    const body = asObject(parsed, 'the request body');
    assertKnownFields(body, ['paused', 'concurrency', 'rate'], 'the controls');
    if (body.paused !== undefined && typeof body.paused !== 'boolean') throw badRequest('paused must be true or false', { field: 'paused' });
    const concurrency = body.concurrency;
    if (concurrency !== undefined && concurrency !== null && !(Number.isInteger(concurrency) && (concurrency as number) >= 1 && (concurrency as number) <= 1_000_000)) {
      throw badRequest('concurrency must be an integer from 1 to 1000000, or null for no limit', { field: 'concurrency' });
    }
    const rate = body.rate === undefined || body.rate === null ? body.rate : asObject(body.rate, 'rate');
    if (rate) {
      assertKnownFields(rate, ['limit', 'intervalMs'], 'rate');
      if (!(Number.isInteger(rate.limit) && (rate.limit as number) >= 1 && (rate.limit as number) <= 1_000_000)) {
        throw badRequest('rate.limit must be an integer from 1 to 1000000 (starts per interval)', { field: 'rate.limit' });
      }
      if (!(Number.isInteger(rate.intervalMs) && (rate.intervalMs as number) >= 1 && (rate.intervalMs as number) <= 86_400_000)) {
        throw badRequest('rate.intervalMs must be an integer from 1 to 86400000 (milliseconds)', { field: 'rate.intervalMs' });
      }
    }
    const controls = await context.store.jobTypeControlSet(type.id, {
      ...(body.paused !== undefined ? { paused: body.paused as boolean } : {}),
      ...(concurrency !== undefined ? { concurrency: concurrency as number | null } : {}),
      ...(rate !== undefined ? { rate: rate ? { limit: rate.limit as number, intervalMs: rate.intervalMs as number } : null } : {}),
    });
    const action = body.paused === true ? 'pause' : body.paused === false ? 'resume' : 'limit';
    await recordAction(c, context, { action, typeId: type.id, details: { paused: controls.paused, concurrency: controls.concurrency, rate: controls.rate } });
    const response: TypeControlsResponse = { type: type.fullName, paused: controls.paused, concurrency: controls.concurrency, rate: controls.rate };
    return c.json(response);
  });

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
