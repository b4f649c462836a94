/**
 * Generates a synthetic workspace of `plugins` plugins × `jobTypes` job types (each with named
 * input and output types) for the speed guard and the benchmark (`npx tsx bench.ts`).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { coreDirectory, createTemporaryDirectory, linkPackage } from './fixture.js';

export interface GenerateWorkspaceOptions {
  readonly plugins: number;
  readonly jobTypes: number;
}

function pluginSource(name: string, jobTypes: number): string {
  const enumName = `${name[0]!.toUpperCase()}${name.slice(1)}Job`;
  const members = Array.from({ length: jobTypes }, (_, index) => `Job${index}`);
  return [
    "import { defineJobs, definePlugin, payload, type PluginModule } from '@jobby/core';",
    '',
    ...members.flatMap((member, index) => [
      `export interface ${member}Input { id: string; count: number; tags: string[]; mode: 'a' | 'b'; nested: { at: string; values: Record<string, number> }; optional?: number | null; index: ${index} }`,
      `export interface ${member}Output { ok: boolean; items: { id: string; size: number }[] }`,
    ]),
    '',
    `export enum ${enumName} {`,
    ...members.map((member, index) => `  ${member} = ${index},`),
    '}',
    '',
    `export const ${name}Jobs = defineJobs({`,
    `  plugin: '${name}',`,
    `  enum: ${enumName},`,
    '  types: {',
    ...members.map((member) => `    ${member}: { input: payload<${member}Input>(), output: payload<${member}Output>(), submittable: true },`),
    '  },',
    '});',
    '',
    `export class Module implements PluginModule<typeof ${name}Jobs> {`,
    '  static initialize(): Module {',
    '    return new Module();',
    '  }',
    '  workers(): void {}',
    '  jobs(): void {}',
    '}',
    '',
    `export const ${name}Plugin = definePlugin({ jobs: ${name}Jobs, module: Module });`,
    '',
  ].join('\n');
}

/** Writes the workspace into a new temporary directory and returns it. */
export function generateWorkspace(options: GenerateWorkspaceOptions): string {
  const directory = createTemporaryDirectory(`jobby-codegen-bench-${options.plugins}-`);
  writeFileSync(path.join(directory, 'package.json'), JSON.stringify({ name: 'bench', private: true, type: 'module', workspaces: ['plugins/*'] }, null, 2));
  linkPackage(directory, '@jobby/core', coreDirectory);
  for (let index = 0; index < options.plugins; index++) {
    const name = `plugin${String(index).padStart(3, '0')}`;
    const pluginDirectory = path.join(directory, 'plugins', name);
    mkdirSync(path.join(pluginDirectory, 'src'), { recursive: true });
    writeFileSync(
      path.join(pluginDirectory, 'package.json'),
      JSON.stringify({ name: `@bench/${name}`, version: '1.0.0', type: 'module', exports: { '.': { '@jobby/source': './src/index.ts' } }, jobby: { plugin: name } }, null, 2),
    );
    writeFileSync(path.join(pluginDirectory, 'src/index.ts'), pluginSource(name, options.jobTypes));
    linkPackage(directory, `@bench/${name}`, pluginDirectory);
  }
  return directory;
}
