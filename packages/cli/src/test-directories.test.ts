import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from './testing/run-jobby.js';

/*
 * One name for what only tests use, in every package (README, "Development"):
 * - `testing/` holds test helpers, code that tests import or spawn (harnesses, a demo plugin, a
 *   child process's entry), beside the code it serves; `@jobby/core/testing` is the one published;
 * - `test-fixtures/`, at a package's root, holds fixture data that tests read or copy (sample
 *   workspaces, golden files), never imported as modules;
 * - tests themselves sit beside the code as `*.test.ts` (`*.e2e.test.ts` for browser tests).
 */

const workspaceParents = ['packages', 'plugins', 'tools'];
const skippedDirectories = new Set(['node_modules', 'dist', '.turbo', 'generated']);
/** Other names the project used for the same things before it settled on two. */
const otherNames = new Set(['test', 'tests', '__tests__', '__fixtures__', 'test-support', 'test-helpers', 'fixtures', 'e2e', 'spec']);

/**
 * Directories below `directory` (a package, relative to `root`) whose name says "only tests use
 * this" in another way, or a `test-fixtures/` that is not at the package's root.
 */
export function misnamedTestDirectories(root: string, directory: string): string[] {
  return readdirSync(path.join(root, directory), { withFileTypes: true }).flatMap((entry) => {
    if (!entry.isDirectory() || skippedDirectories.has(entry.name)) return [];
    const child = `${directory}/${entry.name}`;
    // A fixture workspace is data: what it holds is named by the scenario it reproduces.
    if (entry.name === 'test-fixtures') return directory.split('/').length === 2 ? [] : [child];
    return [...(otherNames.has(entry.name) ? [child] : []), ...misnamedTestDirectories(root, child)];
  });
}

describe('directories of test helpers and fixtures', () => {
  it('are found when misnamed (the check can fail)', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'jobby-test-directories-'));
    try {
      for (const directory of ['src/e2e', 'src/store/test-support', 'src/runtime/testing', 'src/runtime/test-fixtures', 'test-fixtures/golden/fixtures', 'node_modules/x/tests']) {
        mkdirSync(path.join(root, 'packages/x', directory), { recursive: true });
      }
      expect(misnamedTestDirectories(root, 'packages/x').sort()).toEqual(['packages/x/src/e2e', 'packages/x/src/runtime/test-fixtures', 'packages/x/src/store/test-support']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('are named testing/ (helpers) and test-fixtures/ (data, at a package root) in every package', () => {
    const packages = workspaceParents.flatMap((parent) =>
      readdirSync(path.join(repositoryRoot, parent), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => `${parent}/${entry.name}`),
    );
    expect(packages).toContain('tools/codegen');
    expect(packages.flatMap((directory) => misnamedTestDirectories(repositoryRoot, directory))).toEqual([]);
  });
});
