import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JobbyRegistry } from '@jobby/core';
import { CliError } from './cli-error.js';

/**
 * Where the generated registry lives. The project root and `jobby.outDir` are found the way
 * `jobby codegen` finds them (the nearest package.json listing workspaces, else the nearest
 * package.json; `"jobby": { "outDir" }`, default `generated/jobby`) — repeated here rather than
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
    throw new CliError(`${file}: ${(error as Error).message}`);
  }
}

function hasWorkspaces(packageJson: Record<string, unknown>): boolean {
  const field = packageJson['workspaces'];
  if (Array.isArray(field)) return field.length > 0;
  const packages = typeof field === 'object' && field !== null ? (field as Record<string, unknown>)['packages'] : undefined;
  return Array.isArray(packages) && packages.length > 0;
}

export function findProject(startDirectory: string): ProjectLocation {
  let directory = path.resolve(startDirectory);
  let nearest: string | undefined;
  for (;;) {
    const candidate = path.join(directory, 'package.json');
    if (existsSync(candidate)) {
      nearest ??= directory;
      if (hasWorkspaces(readJson(candidate))) break;
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
