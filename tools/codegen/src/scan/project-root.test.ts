import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findProjectRoot, workspaceGlobMatches } from './project-root.js';

const work = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'jobby-root-')));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function writePackage(directory: string, json: Record<string, unknown>): void {
  mkdirSync(directory, { recursive: true });
  writeFileSync(path.join(directory, 'package.json'), JSON.stringify(json));
}

describe('the project root', () => {
  it('matches npm workspace globs', () => {
    expect(workspaceGlobMatches('plugins/*', 'plugins/billing')).toBe(true);
    expect(workspaceGlobMatches('./plugins/*', 'plugins/billing')).toBe(true);
    expect(workspaceGlobMatches('plugins/*', 'plugins/billing/src')).toBe(false);
    expect(workspaceGlobMatches('tools/**', 'tools/a/b')).toBe(true);
    expect(workspaceGlobMatches('packages/app', 'packages/app')).toBe(true);
    expect(workspaceGlobMatches('packages/app', 'packages/apps')).toBe(false);
  });

  it('is the ancestor whose workspaces include the nearest package, else that package (as npm decides)', () => {
    const monorepo = path.join(work, 'monorepo');
    writePackage(monorepo, { name: 'monorepo', workspaces: ['plugins/*'] });
    writePackage(path.join(monorepo, 'plugins/shop'), { name: 'shop' });
    // A project of its own inside the monorepo's directory: no workspace glob names it.
    writePackage(path.join(monorepo, 'cache/app'), { name: 'app' });
    mkdirSync(path.join(monorepo, 'plugins/shop/src'), { recursive: true });
    expect(findProjectRoot(path.join(monorepo, 'plugins/shop/src')).directory).toBe(monorepo);
    expect(findProjectRoot(monorepo).directory).toBe(monorepo);
    expect(findProjectRoot(path.join(monorepo, 'cache/app')).directory).toBe(path.join(monorepo, 'cache/app'));
  });
});
