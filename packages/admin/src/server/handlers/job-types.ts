import type { Hono } from 'hono';
import { assertGroupable } from '@jobby/core';
import { noControls, type JobTypeControls } from '@jobby/core/store';
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
 * `{ paused?: boolean, concurrency?: number | null, rate?: { limit: number, intervalMs: number } | null,
 * groupConcurrency?: number | null, clearLimits?: boolean }`.
 */
function toResponse(type: string, controls: JobTypeControls): TypeControlsResponse {
  const { paused, concurrency, rate, groupConcurrency, declared, sources } = controls;
  return { type, paused, concurrency, rate, groupConcurrency, declared, sources };
}

export function registerJobTypeRoutes(app: Hono, context: AdminContext): void {
  app.get('/api/controls', async (c) => {
    assertKnownParams(c.req.query() as Query, []);
    const controls = new Map((await context.readStore.jobTypeControlList()).map((entry) => [entry.typeId, entry]));
    const body: ControlsResponse = {
      types: context.registry.jobTypes.map((type) => {
        return toResponse(type.fullName, controls.get(type.id) ?? noControls(type.id));
      }),
    };
    return c.json(body);
  });

  app.get('/api/job-types/:type/controls', async (c) => {
    assertKnownParams(c.req.query() as Query, []);
    const type = resolveType(context, c.req.param('type'));
    const control = (await context.readStore.jobTypeControlList()).find((entry) => entry.typeId === type.id);
    const body = toResponse(type.fullName, control ?? noControls(type.id));
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
    assertKnownFields(body, ['paused', 'concurrency', 'rate', 'groupConcurrency', 'clearLimits'], 'the controls');
    if (body.clearLimits !== undefined && typeof body.clearLimits !== 'boolean') throw badRequest('clearLimits must be true or false', { field: 'clearLimits' });
    if (body.paused !== undefined && typeof body.paused !== 'boolean') throw badRequest('paused must be true or false', { field: 'paused' });
    const concurrency = body.concurrency;
    if (concurrency !== undefined && concurrency !== null && !(Number.isInteger(concurrency) && (concurrency as number) >= 1 && (concurrency as number) <= 1_000_000)) {
      throw badRequest('concurrency must be an integer from 1 to 1000000, or null for no limit', { field: 'concurrency' });
    }
    const groupConcurrency = body.groupConcurrency;
    if (groupConcurrency !== undefined && groupConcurrency !== null && !(Number.isInteger(groupConcurrency) && (groupConcurrency as number) >= 1 && (groupConcurrency as number) <= 1_000_000)) {
      throw badRequest('groupConcurrency must be an integer from 1 to 1000000, or null for no limit', { field: 'groupConcurrency' });
    }
    if (typeof groupConcurrency === 'number') assertGroupable(type);
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
      ...(groupConcurrency !== undefined ? { groupConcurrency: groupConcurrency as number | null } : {}),
      ...(body.clearLimits === true ? { clearLimits: true } : {}),
    });
    const action = body.paused === true ? 'pause' : body.paused === false ? 'resume' : 'limit';
    await recordAction(c, context, {
      action,
      typeId: type.id,
      details: {
        paused: controls.paused,
        concurrency: controls.concurrency,
        rate: controls.rate,
        ...(controls.groupConcurrency === null ? {} : { groupConcurrency: controls.groupConcurrency }),
        ...(body.clearLimits === true ? { clearLimits: true } : {}),
      },
    });
    return c.json(toResponse(type.fullName, controls));
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
