import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { CodegenError } from '../diagnostics.js';

/** The project a run works on: its root directory and the root package.json. */
export interface ProjectRoot {
  /** Absolute, symlinks resolved. */
  readonly directory: string;
  readonly packageJson: Record<string, unknown>;
  /** The `workspaces` globs of the root package.json (empty for a single-package project). */
  readonly workspaces: readonly string[];
  /** Where generated files go, absolute (`"jobby": { "outDir" }`, default `generated/jobby`). */
  readonly outDir: string;
  /** `jobby.lock.json` at the root, absolute. */
  readonly lockFile: string;
}

export const defaultOutDir = 'generated/jobby';
export const lockFileName = 'jobby.lock.json';

function readJson(file: string): Record<string, unknown> {
  const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${file} is not a JSON object`);
  return value as Record<string, unknown>;
}

function workspacesOf(packageJson: Record<string, unknown>): string[] {
  const field = packageJson['workspaces'];
  if (Array.isArray(field)) return field.filter((entry): entry is string => typeof entry === 'string');
  if (typeof field === 'object' && field !== null) {
    const packages = (field as Record<string, unknown>)['packages'];
    if (Array.isArray(packages)) return packages.filter((entry): entry is string => typeof entry === 'string');
  }
  return [];
}

/**
 * True when an npm `workspaces` glob (`plugins/*`, `tools/**`, `packages/app`) names the directory
 * at `relativePath` (posix separators) from the root that lists it.
 */
export function workspaceGlobMatches(pattern: string, relativePath: string): boolean {
  const source = pattern
    .replace(/^\.\//, '')
    .replace(/\/+$/, '')
    .split('/')
    .map((segment) => (segment === '**' ? '.*' : segment.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')))
    .join('/');
  return new RegExp(`^${source}$`).test(relativePath);
}

/**
 * Finds the project root from a directory, as npm does: the nearest ancestor whose package.json
 * lists workspaces that include the nearest package (or is that package), else the nearest
 * package.json. (A package that no ancestor's workspaces name is a project of its own, even inside
 * another project's directory.)
 *
 * @throws CodegenError `ROOT_NOT_FOUND` when no package.json is found.
 */
export function findProjectRoot(startDirectory: string, outDirOverride?: string): ProjectRoot {
  let directory = realpathSync(path.resolve(startDirectory));
  let nearest: string | undefined;
  for (;;) {
    const candidate = path.join(directory, 'package.json');
    if (existsSync(candidate)) {
      nearest ??= directory;
      const globs = workspacesOf(readJson(candidate));
      const relative = path.relative(directory, nearest).split(path.sep).join('/');
      if (globs.length > 0 && (relative === '' || globs.some((glob) => !glob.startsWith('!') && workspaceGlobMatches(glob, relative)))) break;
    }
    const parent = path.dirname(directory);
    if (parent === directory) {
      if (nearest === undefined) throw new CodegenError('ROOT_NOT_FOUND', `no package.json found in ${startDirectory} or above`);
      directory = nearest;
      break;
    }
    directory = parent;
  }
  const packageJson = readJson(path.join(directory, 'package.json'));
  const config = packageJson['jobby'];
  const configuredOutDir =
    typeof config === 'object' && config !== null && typeof (config as Record<string, unknown>)['outDir'] === 'string'
      ? ((config as Record<string, unknown>)['outDir'] as string)
      : defaultOutDir;
  return {
    directory,
    packageJson,
    workspaces: workspacesOf(packageJson),
    outDir: path.resolve(directory, outDirOverride ?? configuredOutDir),
    lockFile: path.join(directory, lockFileName),
  };
}

/** A path relative to the project root, with posix separators (used in messages and the lock). */
export function relativeToRoot(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}
