/**
 * `@jobby/admin`: the admin HTTP API and web UI of jobby.
 *
 * @example
 * ```ts
 * import { startAdminServer } from '@jobby/admin';
 * const admin = await startAdminServer({ database, registry, port: 4000 });
 * ```
 */
export { startAdminServer, type AdminServer, type AdminServerOptions } from './server/server.js';
export { createAdminApp, defaultMaxBodyBytes, type AdminAppOptions } from './server/app.js';
export { assertAdminExposure, isLoopbackHost } from './server/security.js';
export type * from './shared/api-types.js';
