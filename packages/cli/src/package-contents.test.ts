import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from './testing/run-jobby.js';
import { stagePackage } from './testing/stage-package.js';

/*
 * What each published package puts in its tarball: every package that is not private is built
 * into a staging copy of its directory (sources, tests and fixtures included, as in the
 * repository), and `npm pack --dry-run --json` lists what `files` lets through. No test, fixture
 * or test helper may be in it; every entry point of `exports` and `bin` must be.
 */

interface PackageJson {
  name: string;
  private?: boolean;
  exports?: Record<string, string | Record<string, string>>;
  bin?: string | Record<string, string>;
}

interface PackResult {
  name: string;
  files: { path: string }[];
}

/** Directory names that hold tests or what only tests use. */
const testDirectoryNames = new Set(['test', 'tests', '__tests__', 'testing', 'test-support', 'test-fixtures', 'fixtures', 'e2e', 'type-tests']);
const testFilePattern = /(^|\/)[^/]*\.(test|spec|test-d)\.[^/]*$|(^|\/)(vitest|playwright)\.config\.[^/]*$|(^|\/)tsconfig(\.[\w-]+)?\.json$/;

function workspacePackages(): { directory: string; packageJson: PackageJson }[] {
  const root = JSON.parse(readFileSync(path.join(repositoryRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
  return root.workspaces
    .flatMap((glob) => {
      const parent = glob.replace(/\/\*$/, '');
      return readdirSync(path.join(repositoryRoot, parent)).map((name) => `${parent}/${name}`);
    })
    .filter((directory) => existsSync(path.join(repositoryRoot, directory, 'package.json')))
    .map((directory) => ({ directory, packageJson: JSON.parse(readFileSync(path.join(repositoryRoot, directory, 'package.json'), 'utf8')) as PackageJson }));
}

/** The files `exports` (every condition but the workspace's `@jobby/source`) and `bin` point at. */
export function entryPoints(packageJson: PackageJson): string[] {
  const targets: string[] = [];
  for (const entry of Object.values(packageJson.exports ?? {})) {
    if (typeof entry === 'string') targets.push(entry);
    else for (const [condition, target] of Object.entries(entry)) if (condition !== '@jobby/source') targets.push(target);
  }
  const bin = packageJson.bin;
  if (typeof bin === 'string') targets.push(bin);
  else if (bin) targets.push(...Object.values(bin));
  return [...new Set(targets.map((target) => path.posix.normalize(target)))].sort();
}

/**
 * Files of the tarball that are tests, fixtures or test helpers. A test-helper directory is
 * allowed only where an entry point of `exports` lives in it: `@jobby/core/testing` is published
 * on purpose (the tests that `jobby new plugin` writes import it).
 */
export function testFilesIn(files: readonly string[], entries: readonly string[]): string[] {
  const publicDirectories = entries.map((entry) => path.posix.dirname(entry));
  return files.filter((file) => {
    if (testFilePattern.test(file)) return true;
    const directory = path.posix.dirname(file);
    if (publicDirectories.includes(directory)) return false;
    return directory.split('/').some((segment) => testDirectoryNames.has(segment));
  });
}

const work = mkdtempSync(path.join(os.tmpdir(), 'jobby-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const published = workspacePackages().filter(({ packageJson }) => packageJson.private !== true);

describe('published packages', () => {
  it('are the ones this test expects (a new one is checked here too)', () => {
    expect(published.map(({ packageJson }) => packageJson.name).sort()).toEqual([
      '@jobby/admin',
      '@jobby/cli',
      '@jobby/codegen',
      '@jobby/core',
      '@jobby/email',
      '@jobby/metrics',
      '@jobby/steam',
    ]);
  });

  it('recognises tests, fixtures and test helpers (the check can fail)', () => {
    const entries = ['./dist/index.js', './dist/testing/index.js'];
    expect(
      testFilesIn(
        ['dist/index.js', 'dist/testing/until.js', 'dist/job.test.js', 'dist/job.test.d.ts', 'dist/test-support/run.js', 'fixtures/app.json', 'dist/e2e/shop.js', 'tsconfig.build.json', 'src/store/embedded/test-fixtures/child.ts'],
        entries.map((entry) => path.posix.normalize(entry)),
      ),
    ).toEqual(['dist/job.test.js', 'dist/job.test.d.ts', 'dist/test-support/run.js', 'fixtures/app.json', 'dist/e2e/shop.js', 'tsconfig.build.json', 'src/store/embedded/test-fixtures/child.ts']);
  });

  describe.each(published.map(({ directory, packageJson }) => ({ directory, packageJson, name: packageJson.name })))('$name', ({ directory, packageJson }) => {
    it('packs its entry points and no test, fixture or test helper', () => {
      const stage = path.join(work, path.basename(directory));
      stagePackage({ relative: directory, stage, noCheck: true });
      const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: stage,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, npm_config_update_notifier: 'false' },
      });
      const [pack] = JSON.parse(output) as PackResult[];
      expect(pack!.name).toBe(packageJson.name);
      const files = pack!.files.map((file) => file.path).sort();
      const entries = entryPoints(packageJson);
      expect(entries.length).toBeGreaterThan(0);
      expect(testFilesIn(files, entries)).toEqual([]);
      expect(entries.filter((entry) => !files.includes(entry))).toEqual([]);
      // The workspace sources stay out: consumers load dist/ (the `@jobby/source` condition is for this repository).
      expect(files.filter((file) => file.startsWith('src/'))).toEqual([]);
    });
  });
});
