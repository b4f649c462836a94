import type { Hono } from 'hono';
import type { MetaResponse } from '../../shared/api-types.js';
import type { AdminContext } from '../context.js';

/** GET /api/meta — what the UI needs to know about this server before anything else. */
export function registerMetaRoutes(app: Hono, context: AdminContext): void {
  app.get('/api/meta', async (c) => {
    const databaseNow = await context.admin.databaseNow();
    const embeddedOpen = context.embedded && !context.token;
    const body: MetaResponse = {
      schema: context.database.schema,
      databaseKind: context.database.kind,
      tokenRequired: Boolean(context.token),
      readOnly: !context.token && !embeddedOpen,
      embeddedOpen,
      databaseNow: databaseNow.toISOString(),
    };
    return c.json(body);
  });
}
