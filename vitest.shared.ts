import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

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
      conditions: ['@jobby/source', ...defaultServerConditions],
    },
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
