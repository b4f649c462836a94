/**
 * `@jobby/worker`: this monorepo's worker program. `src/generated/` is written by `jobby codegen`
 * (registry, JobTypeMap augmentation, JSON Schemas, the `worker.ts` entry); run the entry with
 * `jobby worker`, or bundle it into `dist/worker.mjs` with `npm run bundle -w @jobby/worker`.
 */
import './generated/job-types.js';

export { registry } from './generated/registry.js';
