/**
 * A guard, not a benchmark (see bench.ts and README.md for the figures): 20 plugins × 10 job types
 * must finish well within a generous bound, so that an accidental quadratic step or a second
 * program per plugin is caught.
 */
import { rmSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { runCodegen } from './index.js';
import { generateWorkspace } from './testing/generate-workspace.js';

const directory = generateWorkspace({ plugins: 20, jobTypes: 10 });
afterAll(() => rmSync(directory, { recursive: true, force: true }));

it('generates 20 plugins × 10 job types within a generous bound', async () => {
  const result = await runCodegen({ rootDir: directory });
  expect(result.diagnostics).toEqual([]);
  expect(result.plugins).toHaveLength(20);
  expect(result.written).toHaveLength(20 * 10 + 4); // schemas + registry, job-types, worker, lock
  expect(result.timings.total).toBeLessThan(30_000);
}, 60_000);
