import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { createJobbyClient, createLogger, type JobbyDatabase, type JobbyRegistry, type Worker } from '@jobby/core';
import { createJobAdmin } from '@jobby/core/admin';
import { createJobStore } from '@jobby/core/store';
import type { AdminContext, AdminLogger } from './context.js';
import { toErrorResponse } from './http-error.js';
import { createChangeFeed } from './change-feed.js';
import { registerEventRoutes } from './handlers/events.js';
import { registerFailureRoutes } from './handlers/failures.js';
import { registerGraphRoutes } from './handlers/graph.js';
import { registerWorkflowRoutes } from './handlers/workflows.js';
import { registerJobActionRoutes } from './handlers/job-actions.js';
import { registerJobTypeRoutes } from './handlers/job-types.js';
import { registerJobRoutes } from './handlers/jobs.js';
import { registerMetaRoutes } from './handlers/meta.js';
import { registerOverviewRoutes } from './handlers/overview.js';
import { registerScheduleRoutes } from './handlers/schedules.js';
import { assertAdminExposure, hostGuard, isLoopbackHost, loopbackAllowedHosts, mutationGuard, readGuard, requestBodyLimit, securityHeaders } from './security.js';
import { registerStaticUi } from './static-ui.js';

export interface AdminAppOptions {
  /** The primary: every change (retry, cancel, submit, controls, the audit trail) goes there. */
  database: JobbyDatabase;
  /**
   * Where the admin's reads go: a read replica (`JOBBY_ADMIN_DATABASE_URL` in `jobby admin`), or a
   * pool of its own with a statement timeout. Default `database`.
   */
  readDatabase?: Pick<JobbyDatabase, 'db' | 'schema'>;
  registry: JobbyRegistry;
  /** The operator token: mutations need `Authorization: Bearer <token>`. Default `process.env.JOBBY_ADMIN_TOKEN`. */
  token?: string;
  /**
   * The read-only token: reads with it, never changes. Default `process.env.JOBBY_ADMIN_READ_TOKEN`.
   * Configured, or with `host` beyond loopback, reads need a token (either one).
   */
  readToken?: string;
  /** The embedded quick start: without a token, mutations are open (and the UI says so). */
  embedded?: boolean;
  logger?: AdminLogger;
  /** The in-process worker, for live information on the overview. */
  worker?: Worker;
  /**
   * The address the server listens on; on loopback only loopback Host names are served. Beyond
   * loopback reads need a token too, and without any token the app refuses to start. Default 127.0.0.1.
   */
  host?: string;
  /** How often open event streams (`GET /api/events`) learn what changed, in ms. Default 1,000. */
  liveIntervalMs?: number;
  /** Largest request body. Default 1 MiB + 64 KiB: room for the largest input the client accepts (1 MiB). */
  maxBodyBytes?: number;
  /** Where the built UI is. Default `dist/ui` of this package. */
  uiDirectory?: string;
}

export const defaultMaxBodyBytes = 1024 * 1024 + 64 * 1024;

/**
 * The admin HTTP app (hono): the JSON API under /api and the built UI. `startAdminServer` serves
 * it; tests call `app.request()` directly.
 *
 * @example
 * ```ts
 * const app = createAdminApp({ database, registry, token: 'secret' });
 * const response = await app.request('/api/jobs?state=failed&limit=20');
 * ```
 */
export function createAdminApp(options: AdminAppOptions): Hono {
  const context = createAdminContext(options);
  const app = new Hono();
  app.use('*', securityHeaders());
  app.use('*', hostGuard(loopbackAllowedHosts(options.host ?? '127.0.0.1')));
  app.use('/api/*', readGuard(context));
  app.use('/api/*', mutationGuard(context));
  app.use('/api/*', requestBodyLimit(options.maxBodyBytes ?? defaultMaxBodyBytes));
  // API answers (JSON, downloads) gzip-compressed when asked; the UI's files are compressed once
  // in static-ui.ts and carry their Content-Encoding, which this middleware leaves alone.
  app.use('*', compress());
  app.onError((error, c) => {
    const { status, body, unexpected } = toErrorResponse(error);
    if (unexpected) context.logger.error({ err: error, method: c.req.method, path: c.req.path }, 'admin: request failed');
    return c.json(body, status);
  });
  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `no endpoint ${c.req.method} ${c.req.path}` } }, 404));
  registerMetaRoutes(app, context);
  registerOverviewRoutes(app, context);
  registerJobActionRoutes(app, context);
  registerFailureRoutes(app, context);
  registerGraphRoutes(app, context);
  registerJobTypeRoutes(app, context);
  registerJobRoutes(app, context);
  registerScheduleRoutes(app, context);
  registerEventRoutes(app, context);
  registerWorkflowRoutes(app, context);
  registerStaticUi(app, options.uiDirectory);
  return app;
}

function createAdminContext(options: AdminAppOptions): AdminContext {
  const { database, registry } = options;
  const client = createJobbyClient({ database, registry });
  const readDatabase = options.readDatabase ?? database;
  const describeType = (id: number) => registry.byId(id)?.fullName ?? `type ${id}`;
  const admin = createJobAdmin(readDatabase);
  const token = (options.token ?? process.env.JOBBY_ADMIN_TOKEN) || undefined;
  const readToken = (options.readToken ?? process.env.JOBBY_ADMIN_READ_TOKEN) || undefined;
  const host = options.host ?? '127.0.0.1';
  assertAdminExposure({ host, token, readToken });
  const logger = options.logger ?? createLogger();
  return {
    database,
    registry,
    client,
    store: createJobStore(database, { describeType }),
    readStore: createJobStore(readDatabase, { describeType }),
    admin,
    primaryAdmin: readDatabase === database ? admin : createJobAdmin(database),
    logger,
    token,
    readToken,
    readsNeedToken: !isLoopbackHost(host) || readToken !== undefined,
    embedded: options.embedded ?? false,
    worker: options.worker,
    changes: createChangeFeed({
      readCursor: () => admin.jobChangeCursor(),
      typeName: (typeId) => registry.byId(typeId)?.fullName ?? `#${typeId}`,
      intervalMs: options.liveIntervalMs ?? 1_000,
      logger,
    }),
  };
}
