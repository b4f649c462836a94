import type { Hono } from 'hono';
import type { MetaResponse } from '../../shared/api-types.js';
import type { AdminContext } from '../context.js';
import { embeddedOpen as isEmbeddedOpen, requestAccess } from '../security.js';

/**
 * GET /api/meta — what the UI needs to know about this server before anything else. Open without
 * a token even where reads need one (it tells the UI to ask for a token); without one there it
 * says only that.
 */
export function registerMetaRoutes(app: Hono, context: AdminContext): void {
  app.get('/api/meta', async (c) => {
    const embeddedOpen = isEmbeddedOpen(context);
    const given = requestAccess(context, c.req.header('authorization'));
    const access = given === 'operator' || embeddedOpen ? 'operator' : given === 'read' || !context.readsNeedToken ? 'read' : 'none';
    const hidden = access === 'none';
    const body: MetaResponse = {
      schema: hidden ? '' : context.database.schema,
      databaseKind: context.database.kind,
      tokenRequired: Boolean(context.token) || context.readsNeedToken,
      readTokenRequired: context.readsNeedToken,
      access,
      readOnly: !context.token && !embeddedOpen,
      embeddedOpen,
      databaseNow: hidden ? new Date().toISOString() : (await context.admin.databaseNow()).toISOString(),
    };
    return c.json(body);
  });
}
