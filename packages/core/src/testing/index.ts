/** `@jobby/core/testing`: helpers for tests against real Postgres and the embedded database. */
export * from './test-database.js';
export * from './until.js';
export * from './tcp-proxy.js';
