import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Dependencies load in tests as Node loads them: without the bundlers' `module` condition, which
// Node does not know. (@opentelemetry/api's `module` build imports its files without extensions,
// which Node's ESM loader refuses.)
const nodeServerConditions = defaultServerConditions.filter((condition) => condition !== 'module');

/**
 * Shared Vitest settings. Workspace packages export their TypeScript sources under the
 * `@jobby/source` condition, so tests run against sources without a build step.
 */
export const sharedConfig = defineConfig({
  resolve: {
    conditions: ['@jobby/source', ...defaultClientConditions],
  },
  ssr: {
    resolve: {
      conditions: ['@jobby/source', ...nodeServerConditions],
    },
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
