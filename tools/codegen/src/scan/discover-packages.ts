/**
 * Discovery: which packages are jobby plugins. A package is one when its package.json has
 * `"jobby": { "plugin": "<name>" }`. Workspace packages are read from TypeScript sources (the
 * `@jobby/source` export condition); installed packages from their published `.d.ts`. Workspace
 * packages are also symlinked into node_modules: both paths are deduplicated by realpath.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { createDiagnostic, type CodegenDiagnostic } from '../diagnostics.js';
import type { PackageOrigin, PluginPackage } from '../model/model.js';
import { relativeToRoot, type ProjectRoot } from './project-root.js';
import { compareText } from '../compare-text.js';

export interface DiscoverResult {
  /** Sorted by directory. */
  readonly packages: PluginPackage[];
  readonly diagnostics: CodegenDiagnostic[];
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function listDirectories(directory: string): string[] {
  try {
    return readdirSync(directory)
      .filter((name) => !name.startsWith('.') && name !== 'node_modules')
      .map((name) => path.join(directory, name))
      .filter(isDirectory)
      .sort();
  } catch {
    return [];
  }
}

/** Expands npm workspace globs (`packages/*`, `tools/**`, exact paths). */
export function expandWorkspaces(root: string, patterns: readonly string[]): string[] {
  const found = new Set<string>();
  const walk = (base: string, segments: readonly string[]): void => {
    if (segments.length === 0) {
      if (existsSync(path.join(base, 'package.json'))) found.add(base);
      return;
    }
    const [head, ...rest] = segments as [string, ...string[]];
    if (head === '**') {
      walk(base, rest);
      for (const child of listDirectories(base)) walk(child, segments);
    } else if (head.includes('*')) {
      const pattern = new RegExp(`^${head.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
      for (const child of listDirectories(base)) if (pattern.test(path.basename(child))) walk(child, rest);
    } else {
      const next = path.join(base, head);
      if (isDirectory(next)) walk(next, rest);
    }
  };
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) continue;
    walk(root, pattern.replace(/^\.\//, '').split('/').filter((segment) => segment.length > 0));
  }
  return [...found].sort();
}

/** Top-level packages of `node_modules`, including scoped ones. */
function listInstalledPackages(root: string): string[] {
  const nodeModules = path.join(root, 'node_modules');
  const result: string[] = [];
  let names: string[];
  try {
    names = readdirSync(nodeModules).sort();
  } catch {
    return result;
  }
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const full = path.join(nodeModules, name);
    if (name.startsWith('@')) {
      let scoped: string[];
      try {
        scoped = readdirSync(full).sort();
      } catch {
        continue;
      }
      for (const child of scoped) result.push(path.join(full, child));
    } else {
      result.push(full);
    }
  }
  return result;
}

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** Picks a types entry from an `exports["."]` value, looking into nested conditions. */
function typesFromExport(value: unknown, conditions: readonly string[]): string | undefined {
  if (typeof value === 'string') return value.endsWith('.ts') ? value : undefined;
  const object = asObject(value);
  if (!object) return undefined;
  for (const condition of conditions) {
    if (condition in object) {
      const found = typesFromExport(object[condition], conditions);
      if (found) return found;
    }
  }
  return undefined;
}

/** The file to read for a plugin package, or undefined when none exists. */
export function resolveEntry(directory: string, packageJson: Json, origin: PackageOrigin): string | undefined {
  const exportsField = packageJson['exports'];
  const dot = asObject(exportsField) && '.' in (exportsField as Json) ? (exportsField as Json)['.'] : exportsField;
  const conditions = origin === 'workspace' ? ['@jobby/source', 'types', 'import', 'default'] : ['types', 'import', 'default'];
  const candidates: string[] = [];
  const fromExports = typesFromExport(dot, conditions);
  if (fromExports) candidates.push(fromExports);
  for (const field of ['types', 'typings']) {
    if (typeof packageJson[field] === 'string') candidates.push(packageJson[field] as string);
  }
  if (typeof packageJson['main'] === 'string') candidates.push((packageJson['main'] as string).replace(/\.[cm]?js$/, '.d.ts'));
  candidates.push('index.d.ts');
  for (const candidate of candidates) {
    const file = path.resolve(directory, candidate);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/**
 * Finds every plugin package of the project: workspace packages first, then installed ones not
 * already seen under their realpath.
 */
export function discoverPackages(root: ProjectRoot): DiscoverResult {
  const packages: PluginPackage[] = [];
  const diagnostics: CodegenDiagnostic[] = [];
  const seen = new Set<string>();
  const consider = (directory: string, origin: PackageOrigin): void => {
    let real: string;
    try {
      real = realpathSync(directory);
    } catch {
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    const packageFile = path.join(real, 'package.json');
    if (!existsSync(packageFile)) return;
    let packageJson: Json;
    try {
      packageJson = JSON.parse(readFileSync(packageFile, 'utf8')) as Json;
    } catch (error) {
      diagnostics.push(
        createDiagnostic('PACKAGE_INVALID', `${relativeToRoot(root.directory, packageFile)} is not valid JSON: ${(error as Error).message}`, {
          file: relativeToRoot(root.directory, packageFile),
          line: 1,
        }),
      );
      return;
    }
    const jobby = asObject(packageJson['jobby']);
    if (!jobby || !('plugin' in jobby)) return;
    const name = typeof packageJson['name'] === 'string' ? packageJson['name'] : path.basename(real);
    const relativeDirectory = relativeToRoot(root.directory, real) || '.';
    const declaredPlugin = jobby['plugin'];
    if (typeof declaredPlugin !== 'string') {
      diagnostics.push(
        createDiagnostic('PACKAGE_INVALID', `${name} (${relativeDirectory}/package.json): "jobby.plugin" must be the plugin name as a string`, {
          file: `${relativeDirectory}/package.json`,
          line: 1,
        }),
      );
      return;
    }
    const entryFile = resolveEntry(real, packageJson, origin);
    packages.push({
      name,
      version: typeof packageJson['version'] === 'string' ? packageJson['version'] : '0.0.0',
      directory: relativeDirectory,
      declaredPlugin,
      origin,
      entryFile,
    });
    if (!entryFile) {
      diagnostics.push(
        createDiagnostic(
          'PLUGIN_ENTRY_MISSING',
          `${name} (${relativeDirectory}) declares jobby plugin "${declaredPlugin}" but has no readable entry: ` +
            (origin === 'workspace' ? 'add exports["."]["@jobby/source"] or "types"' : 'it ships no .d.ts (exports["."].types or "types")'),
          { file: `${relativeDirectory}/package.json`, line: 1 },
        ),
      );
    }
  };
  for (const directory of expandWorkspaces(root.directory, root.workspaces)) consider(directory, 'workspace');
  if (root.workspaces.length === 0) consider(root.directory, 'workspace');
  for (const directory of listInstalledPackages(root.directory)) consider(directory, 'installed');
  packages.sort((a, b) => compareText(a.directory, b.directory));
  return { packages, diagnostics };
}
