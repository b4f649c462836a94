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
