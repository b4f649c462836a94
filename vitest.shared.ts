import { defineConfig } from 'vitest/config';

/**
 * Shared Vitest settings. Workspace packages export their TypeScript sources under the
 * `@jobby/source` condition, so tests run against sources without a build step.
 */
export const sharedConfig = defineConfig({
  resolve: {
    conditions: ['@jobby/source', 'module', 'node', 'import', 'default'],
  },
  ssr: {
    resolve: {
      conditions: ['@jobby/source', 'module', 'node', 'import', 'default'],
      externalConditions: ['@jobby/source'],
    },
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
