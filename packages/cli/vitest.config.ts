import { mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

// Tests spawn the CLI (each spawn starts Node with tsx on the sources), build and pack packages:
// generous timeouts, and files one at a time so that they do not compete for the two cores.
export default mergeConfig(sharedConfig, {
  test: {
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
