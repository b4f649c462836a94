/**
 * The published path: a plugin compiled to `.js` + `.d.ts`, packed with `npm pack`, installed into
 * a fresh project with `npm install <tarball>`, and discovered from node_modules through its
 * `.d.ts` alone (its TypeScript sources are not in the tarball).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync as readBuffer, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Project, ts } from 'ts-morph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCodegen } from '../index.js';
import { coreDirectory, createTemporaryDirectory, fixturesDirectory, linkPackage } from '../testing/fixture.js';

let workDirectory: string;
let appDirectory: string;

/**
 * Builds the plugin with the TypeScript compiler: the plugin's file only (the tsc CLI would also
 * emit the core's sources, which the test links in by path).
 */
function buildPlugin(pluginDirectory: string): void {
  const project = new Project({
    compilerOptions: {
      target: ts.ScriptTarget.ES2023,
      lib: ['lib.es2023.d.ts'],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      customConditions: ['@jobby/source'],
      strict: true,
      skipLibCheck: true,
      declaration: true,
      rootDir: path.join(pluginDirectory, 'src'),
      outDir: path.join(pluginDirectory, 'dist'),
      types: [],
    },
    skipAddingFilesFromTsConfig: true,
  });
  const sourceFile = project.addSourceFileAtPath(path.join(pluginDirectory, 'src/index.ts'));
  const program = project.getProgram().compilerObject;
  const errors = ts.getPreEmitDiagnostics(program, program.getSourceFile(sourceFile.getFilePath()));
  expect(errors.map((error) => ts.flattenDiagnosticMessageText(error.messageText, '\n'))).toEqual([]);
  const emitted = program.emit(program.getSourceFile(sourceFile.getFilePath()));
  expect(emitted.emitSkipped).toBe(false);
}

beforeAll(() => {
  workDirectory = createTemporaryDirectory('jobby-codegen-packed-');
  const pluginDirectory = path.join(workDirectory, 'plugin');
  cpSync(path.join(fixturesDirectory, 'packed-plugin'), pluginDirectory, { recursive: true });
  linkPackage(pluginDirectory, '@jobby/core', coreDirectory);
  buildPlugin(pluginDirectory);
  const npmOptions = { cwd: pluginDirectory, stdio: 'pipe' as const, env: { ...process.env, npm_config_update_notifier: 'false' } };
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', workDirectory], npmOptions);
  const tarball = readdirSync(workDirectory).find((name) => name.endsWith('.tgz'));
  expect(tarball).toBe('fixture-packed-2.3.4.tgz');

  appDirectory = path.join(workDirectory, 'app');
  mkdirSync(appDirectory);
  writeFileSync(path.join(appDirectory, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }, null, 2));
  execFileSync(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--legacy-peer-deps', path.join(workDirectory, tarball!)],
    { ...npmOptions, cwd: appDirectory },
  );
  linkPackage(appDirectory, '@jobby/core', coreDirectory);
}, 60_000);

afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

describe('a plugin installed from an npm tarball', () => {
  it('ships only .js and .d.ts', () => {
    const installed = path.join(appDirectory, 'node_modules/@fixture/packed');
    expect(readdirSync(path.join(installed, 'dist')).sort()).toEqual(['index.d.ts', 'index.js']);
    expect(existsSync(path.join(installed, 'src'))).toBe(false);
  });

  it('is discovered from node_modules and read through its .d.ts', async () => {
    const result = await runCodegen({ rootDir: appDirectory });
    expect(result.diagnostics).toEqual([]);
    expect(result.plugins).toHaveLength(1);
    const plugin = result.plugins[0]!;
    expect(plugin.package).toMatchObject({ name: '@fixture/packed', version: '2.3.4', directory: 'node_modules/@fixture/packed', origin: 'installed' });
    expect(plugin.exportName).toBe('packedPlugin');
    expect(plugin.location.file).toBe('node_modules/@fixture/packed/dist/index.d.ts');
    expect(plugin.module.name).toBe('PackedModule');
    expect(
      plugin.jobTypes.map((jobType) => ({
        name: jobType.fullName,
        localId: jobType.member?.value,
        line: jobType.member?.location,
        submittable: jobType.declaration?.submittable,
        description: jobType.declaration?.description,
        input: jobType.declaration?.input.typeText,
      })),
    ).toEqual([
      {
        name: 'packed.Import',
        localId: 3,
        line: { file: 'node_modules/@fixture/packed/dist/index.d.ts', line: 10 },
        submittable: true,
        description: 'Imports uploads.',
        input: '{ uploads: Upload[]; }',
      },
      { name: 'packed.Report', localId: 10, line: { file: 'node_modules/@fixture/packed/dist/index.d.ts', line: 11 }, submittable: false, description: undefined, input: '{ since: string | null; }' },
    ]);

    const schemas = JSON.parse(readFileSync(path.join(appDirectory, 'generated/jobby/schemas/packed.Import.json'))) as { input: unknown };
    expect(schemas.input).toEqual({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { uploads: { type: 'array', items: { $ref: '#/$defs/Upload' } } },
      required: ['uploads'],
      additionalProperties: false,
      $defs: {
        Upload: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            bytes: { type: 'number' },
            priority: { enum: ['low', 'high'] },
            labels: { type: 'object', additionalProperties: { type: 'string' } },
          },
          required: ['name', 'bytes', 'priority'],
          additionalProperties: false,
        },
      },
    });
    const registry = readFileSync(path.join(appDirectory, 'generated/jobby/registry.ts'));
    expect(registry).toContain("import { packedPlugin } from '@fixture/packed';");
    expect(registry).toContain('id: 1003,');
    expect(registry).toContain('id: 1010,');
    expect(JSON.parse(readFileSync(path.join(appDirectory, 'jobby.lock.json'))).plugins.packed).toEqual({
      clientId: 1,
      package: '@fixture/packed',
      jobTypes: { Import: 1003, Report: 1010 },
      tombstones: {},
    });
  });
});

function readFileSync(file: string): string {
  return readBuffer(file, 'utf8');
}
