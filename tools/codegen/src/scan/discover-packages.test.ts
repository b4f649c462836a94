import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTemporaryDirectory } from '../testing/fixture.js';
import { discoverPackages, expandWorkspaces } from './discover-packages.js';
import { findProjectRoot } from './project-root.js';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function write(root: string, file: string, content: unknown): void {
  const full = path.join(root, file);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, typeof content === 'string' ? content : JSON.stringify(content));
}

function project(): string {
  const root = createTemporaryDirectory('jobby-codegen-discover-');
  directories.push(root);
  write(root, 'package.json', { name: 'app', private: true, workspaces: ['plugins/*', 'tools/deep/**'], jobby: { outDir: 'src/generated' } });
  // a workspace plugin, also linked into node_modules as npm does
  write(root, 'plugins/steam/package.json', { name: '@app/steam', version: '1.0.0', exports: { '.': { '@jobby/source': './src/index.ts', types: './dist/index.d.ts' } }, jobby: { plugin: 'steam' } });
  write(root, 'plugins/steam/src/index.ts', 'export {};');
  mkdirSync(path.join(root, 'node_modules/@app'), { recursive: true });
  symlinkSync(path.join(root, 'plugins/steam'), path.join(root, 'node_modules/@app/steam'));
  // a workspace package that is not a plugin
  write(root, 'plugins/util/package.json', { name: '@app/util', version: '1.0.0' });
  // a nested workspace matched by **
  write(root, 'tools/deep/a/b/package.json', { name: 'deep', version: '0.0.1', types: './index.d.ts', jobby: { plugin: 'deep' } });
  write(root, 'tools/deep/a/b/index.d.ts', 'export {};');
  // installed plugins: scoped with exports types, unscoped with "types", one without any .d.ts
  write(root, 'node_modules/@vendor/mail/package.json', { name: '@vendor/mail', version: '3.1.0', exports: { '.': { import: { types: './dist/index.d.ts', default: './dist/index.js' } } }, jobby: { plugin: 'mail' } });
  write(root, 'node_modules/@vendor/mail/dist/index.d.ts', 'export {};');
  write(root, 'node_modules/metrics/package.json', { name: 'metrics', version: '0.2.0', types: 'lib/index.d.ts', jobby: { plugin: 'metrics' } });
  write(root, 'node_modules/metrics/lib/index.d.ts', 'export {};');
  write(root, 'node_modules/broken/package.json', { name: 'broken', version: '1.0.0', main: 'index.js', jobby: { plugin: 'broken' } });
  write(root, 'node_modules/lodash/package.json', { name: 'lodash', version: '4.0.0' });
  return root;
}

describe('discoverPackages', () => {
  it('finds workspace and installed plugins once each, with their entries', () => {
    const root = project();
    const result = discoverPackages(findProjectRoot(path.join(root, 'plugins/steam/src')));
    expect(result.packages.map(({ name, version, directory, declaredPlugin, origin, entryFile }) => ({
      name,
      version,
      directory,
      declaredPlugin,
      origin,
      entry: entryFile && path.relative(root, entryFile),
    }))).toEqual([
      { name: '@vendor/mail', version: '3.1.0', directory: 'node_modules/@vendor/mail', declaredPlugin: 'mail', origin: 'installed', entry: 'node_modules/@vendor/mail/dist/index.d.ts' },
      { name: 'broken', version: '1.0.0', directory: 'node_modules/broken', declaredPlugin: 'broken', origin: 'installed', entry: undefined },
      { name: 'metrics', version: '0.2.0', directory: 'node_modules/metrics', declaredPlugin: 'metrics', origin: 'installed', entry: 'node_modules/metrics/lib/index.d.ts' },
      { name: '@app/steam', version: '1.0.0', directory: 'plugins/steam', declaredPlugin: 'steam', origin: 'workspace', entry: 'plugins/steam/src/index.ts' },
      { name: 'deep', version: '0.0.1', directory: 'tools/deep/a/b', declaredPlugin: 'deep', origin: 'workspace', entry: 'tools/deep/a/b/index.d.ts' },
    ]);
    expect(result.diagnostics).toEqual([
      {
        code: 'PLUGIN_ENTRY_MISSING',
        message: 'broken (node_modules/broken) declares jobby plugin "broken" but has no readable entry: it ships no .d.ts (exports["."].types or "types")',
        file: 'node_modules/broken/package.json',
        line: 1,
      },
    ]);
  });

  it('reads the project root and the configured outDir from the nearest package.json with workspaces', () => {
    const root = project();
    const found = findProjectRoot(path.join(root, 'tools/deep/a/b'));
    expect(found.directory).toBe(root);
    expect(found.outDir).toBe(path.join(root, 'src/generated'));
    expect(found.lockFile).toBe(path.join(root, 'jobby.lock.json'));
    expect(findProjectRoot(root, 'elsewhere').outDir).toBe(path.join(root, 'elsewhere'));
  });

  it('expands workspace globs', () => {
    const root = project();
    expect(expandWorkspaces(root, ['plugins/*', './tools/deep/**']).map((directory) => path.relative(root, directory))).toEqual([
      'plugins/steam',
      'plugins/util',
      'tools/deep/a/b',
    ]);
  });
});
