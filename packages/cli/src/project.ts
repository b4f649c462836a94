import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JobbyRegistry } from '@jobby/core';
import { CliError, exitCodes } from './cli-error.js';

/**
 * Where the generated registry lives. The project root and `jobby.outDir` are found the way
 * `jobby codegen` finds them (the nearest package.json whose workspaces include the nearest
 * package, else the nearest package.json; `"jobby": { "outDir" }`, default `generated/jobby`) — repeated here rather than
 * imported so that commands other than `codegen` do not load ts-morph.
 */

export const defaultOutDir = 'generated/jobby';

export interface ProjectLocation {
  root: string;
  outDir: string;
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`${file}: ${(error as Error).message}`, exitCodes.usage, { cause: error });
  }
}

function workspacesOf(packageJson: Record<string, unknown>): string[] {
  const field = packageJson['workspaces'];
  const list = Array.isArray(field) ? field : typeof field === 'object' && field !== null ? (field as Record<string, unknown>)['packages'] : undefined;
  return Array.isArray(list) ? list.filter((entry): entry is string => typeof entry === 'string') : [];
}

/** Whether an npm `workspaces` glob names the directory at `relativePath` (as codegen's workspaceGlobMatches). */
function workspaceGlobMatches(pattern: string, relativePath: string): boolean {
  const source = pattern
    .replace(/^\.\//, '')
    .replace(/\/+$/, '')
    .split('/')
    .map((segment) => (segment === '**' ? '.*' : segment.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')))
    .join('/');
  return new RegExp(`^${source}$`).test(relativePath);
}

export function findProject(startDirectory: string): ProjectLocation {
  let directory = path.resolve(startDirectory);
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
      if (nearest === undefined) throw new CliError(`no package.json found in ${startDirectory} or above; run jobby inside your project`);
      directory = nearest;
      break;
    }
    directory = parent;
  }
  const config = readJson(path.join(directory, 'package.json'))['jobby'];
  const outDir = typeof config === 'object' && config !== null && typeof (config as Record<string, unknown>)['outDir'] === 'string' ? ((config as Record<string, unknown>)['outDir'] as string) : defaultOutDir;
  return { root: directory, outDir: path.resolve(directory, outDir) };
}

/** The generated registry module's file: `registry.ts` (sources) or `registry.js` (built). */
export function registryFile(project: ProjectLocation): string {
  for (const name of ['registry.ts', 'registry.js', 'registry.mjs']) {
    const file = path.join(project.outDir, name);
    if (existsSync(file)) return file;
  }
  throw new CliError(`no generated registry in ${path.relative(process.cwd(), project.outDir) || '.'} (from "jobby.outDir" of ${path.join(project.root, 'package.json')}); run jobby codegen`);
}

/** Imports the generated registry (TypeScript through tsx). */
export async function loadRegistry(cwd: string = process.cwd()): Promise<JobbyRegistry> {
  const file = registryFile(findProject(cwd));
  let module: { registry?: JobbyRegistry };
  if (file.endsWith('.ts')) {
    const { tsImport } = await import('tsx/esm/api');
    module = (await tsImport(pathToFileURL(file).href, import.meta.url)) as { registry?: JobbyRegistry };
  } else {
    module = (await import(pathToFileURL(file).href)) as { registry?: JobbyRegistry };
  }
  if (!module.registry || typeof module.registry.require !== 'function') throw new CliError(`${file} exports no registry; run jobby codegen`);
  return module.registry;
}
