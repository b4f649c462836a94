import { scheduleJson } from '@jobby/core/admin';
import type { Hono } from 'hono';
import type { SchedulesResponse } from '../../shared/api-types.js';
import type { AdminContext } from '../context.js';
import { assertKnownParams, type Query } from '../params.js';

/**
 * GET /api/schedules — the schedules workers declared (issue 19), with their next and last fire
 * times; those no longer declared in code are `removed`. A small table, read whole.
 */
export function registerScheduleRoutes(app: Hono, context: AdminContext): void {
  app.get('/api/schedules', async (c) => {
    assertKnownParams(c.req.query() as Query, []);
    const schedules = await context.admin.scheduleList();
    const body: SchedulesResponse = {
      schedules: schedules.map(scheduleJson),
    };
    return c.json(body);
  });
}
