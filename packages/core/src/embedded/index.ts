/**
 * The embedded database (PGlite) served over the Postgres wire protocol: a lock file so one process
 * owns a data directory, a queue that gives each client connection its turn on PGlite's single
 * session, and a relay that carries NOTIFY between connections. It is not SQL: it lives beside the
 * store, which talks to it like to any Postgres.
 * @internal
 */
export {
  type EmbeddedLogger,
  type EmbeddedServer,
  type EmbeddedServerOptions,
  DEFAULT_EMBEDDED_HOST,
  DEFAULT_MAX_CONNECTIONS,
  defaultEmbeddedDataDir,
  embeddedConnectionString,
  startEmbeddedServer,
} from './embedded-server.js';
export { EmbeddedEndpoint } from './embedded-endpoint.js';
export { type ConnectEmbeddedOptions, type EmbeddedConnection, connectEmbedded } from './resolve-embedded-database.js';
export { type EmbeddedLockInfo, type EmbeddedLockState, embeddedLockPath } from './embedded-lock.js';
