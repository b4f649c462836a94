import { mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

// One test file at a time: the browser tests (Chromium, a worker, a Vite build) and the API tests
// each start workers against Postgres, and on a 2-core machine running them side by side made
// timings flaky without finding anything.
export default mergeConfig(sharedConfig, { test: { fileParallelism: false } });
