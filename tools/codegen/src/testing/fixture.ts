/**
 * Test helper: copies a fixture mini-workspace into a temporary directory and makes it look
 * installed, as npm would: `node_modules/@jobby/core` links to this repository's core, and each
 * workspace package is linked under its name. Nothing of this is committed.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const codegenDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesDirectory = path.join(codegenDirectory, 'test-fixtures');
export const coreDirectory = path.resolve(codegenDirectory, '../../packages/core');

export interface TemporaryProject {
  readonly directory: string;
  write(relativePath: string, content: string): void;
  read(relativePath: string): string;
  exists(relativePath: string): boolean;
  remove(): void;
}

/** Links a package directory into `<project>/node_modules/<name>`. */
export function linkPackage(projectDirectory: string, name: string, target: string): void {
  const link = path.join(projectDirectory, 'node_modules', name);
  mkdirSync(path.dirname(link), { recursive: true });
  if (!existsSync(link)) symlinkSync(target, link, 'dir');
}

/** Creates an empty temporary directory. */
export function createTemporaryDirectory(prefix = 'jobby-codegen-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

function wrap(directory: string): TemporaryProject {
  return {
    directory,
    write(relativePath, content) {
      const file = path.join(directory, relativePath);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    },
    read: (relativePath) => readFileSync(path.join(directory, relativePath), 'utf8'),
    exists: (relativePath) => existsSync(path.join(directory, relativePath)),
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}

/** Copies `test-fixtures/<name>` to a temporary project with its node_modules links. */
export function copyFixture(name: string): TemporaryProject {
  const directory = createTemporaryDirectory(`jobby-codegen-${name.replace(/[^a-z0-9]+/gi, '-')}-`);
  cpSync(path.join(fixturesDirectory, name), directory, { recursive: true });
  linkPackage(directory, '@jobby/core', coreDirectory);
  for (const group of ['plugins', 'packages']) {
    const groupDirectory = path.join(directory, group);
    if (!existsSync(groupDirectory)) continue;
    for (const child of readdirSync(groupDirectory)) {
      const packageFile = path.join(groupDirectory, child, 'package.json');
      if (!existsSync(packageFile)) continue;
      const packageName = (JSON.parse(readFileSync(packageFile, 'utf8')) as { name: string }).name;
      linkPackage(directory, packageName, path.join(groupDirectory, child));
    }
  }
  return wrap(directory);
}
