/**
 * `pg` for the tests, loaded with Node's own require.
 *
 * Why: the shared vitest config (vitest.shared.ts) lists `import` in `ssr.resolve.conditions`; for
 * externalized packages that condition also reaches the `require()` calls inside CommonJS code, so
 * `pg/lib/index.js` gets pg-pool's ESM build from `require('pg-pool')` and fails with "Class
 * extends value [object Module] is not a constructor". Production code here does not import `pg`.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pg = require('pg') as typeof import('pg');

export default pg;
