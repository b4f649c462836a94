/**
 * `@jobby/core/testing`: helpers for tests against real Postgres and the embedded database, and a
 * demo plugin with its registry for tests that need job types to run.
 */
export * from './test-database.js';
export * from './until.js';
export * from './tcp-proxy.js';
export * from './demo-plugin.js';
