/**
 * The generated files do their jobs: `job-types.ts` makes `InputOf`/`OutputOf`/`JobTypeName`
 * precise across packages (wrong payloads fail to compile), `registry.ts` type-checks against the
 * core, and every JSON Schema compiles under ajv's 2020-12 class and accepts and rejects what
 * the TypeScript type does.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { Project, ts } from 'ts-morph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCodegen } from '../index.js';
import { copyFixture, coreDirectory, type TemporaryProject } from '../testing/fixture.js';

let project: TemporaryProject;
beforeAll(async () => {
  project = copyFixture('basic');
  const result = await runCodegen({ rootDir: project.directory });
  expect(result.ok).toBe(true);
});
afterAll(() => project.remove());

describe('generated TypeScript', () => {
  it('type-checks, and makes wrong payloads and unknown job names compile errors', () => {
    project.write(
      'consumer.ts',
      [
        "import type { InputOf, JobTypeName, OutputOf } from '@jobby/core';",
        "import './generated/job-types.js';",
        "export const good: InputOf<'steam.FetchAppList'> = { url: 'https://example.test' };",
        "export const wrongType: InputOf<'steam.FetchAppList'> = { url: 1 };",
        "export const output: OutputOf<'steam.ProcessAppList'> = { processed: 3 };",
        "export const noOutput: OutputOf<'steam.Summarize'> = null;",
        "export const unknownName: JobTypeName = 'steam.Nope';",
        '',
      ].join('\n'),
    );
    // a ts-morph Project: it carries TypeScript's lib files in memory
    const typeProject = new Project({
      compilerOptions: {
        target: ts.ScriptTarget.ES2023,
        lib: ['lib.es2023.d.ts'],
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        customConditions: ['@jobby/source'],
        strict: true,
        skipLibCheck: true,
        noEmit: true,
        types: [],
      },
      skipAddingFilesFromTsConfig: true,
    });
    for (const file of ['consumer.ts', 'generated/registry.ts', 'generated/job-types.ts']) typeProject.addSourceFileAtPath(path.join(project.directory, file));
    const program = typeProject.getProgram().compilerObject;
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file && diagnostic.file.fileName.startsWith(project.directory))
      .map((diagnostic) => {
        const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start!);
        return `${path.relative(project.directory, diagnostic.file!.fileName)}:${line + 1} TS${diagnostic.code}`;
      });
    expect(diagnostics).toEqual(['consumer.ts:4 TS2322', 'consumer.ts:7 TS2322']);
  });
});

describe('generated JSON Schemas', () => {
  const requireFromCore = createRequire(path.join(coreDirectory, 'package.json'));
  const Ajv2020 = (requireFromCore('ajv/dist/2020.js') as { default: new (options: object) => { compile(schema: unknown): ((data: unknown) => boolean) & { errors?: unknown } } }).default;
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
  const schemaOf = (name: string) => JSON.parse(project.read(`generated/schemas/${name}.json`)) as { input: object; output: object };

  it('compile under ajv 2020 and validate like the TypeScript types', () => {
    const fetch = schemaOf('steam.FetchAppList');
    const input = ajv.compile(fetch.input);
    expect(input({ url: 'u' })).toBe(true);
    expect(input({ url: 'u', limit: 3 })).toBe(true);
    expect(input({ limit: 3 })).toBe(false);
    expect(input({ url: 'u', extra: true })).toBe(false);
    const output = ajv.compile(fetch.output);
    const category = { name: 'root', children: [{ name: 'leaf', children: [] }] };
    expect(output({ apps: [{ id: 1, name: 'a', tags: [], kind: 'dlc', price: null }], fetchedAt: 'now', categories: [category] })).toBe(true);
    expect(output({ apps: [{ id: 1, name: 'a', tags: [], kind: 'movie', price: null }], fetchedAt: 'now', categories: [] })).toBe(false);
    expect(output({ apps: [], fetchedAt: 'now', categories: [{ name: 'x', children: [{ name: 1, children: [] }] }] })).toBe(false);

    const process = ajv.compile(schemaOf('steam.ProcessAppList').input);
    expect(process({ region: 'eu' })).toBe(true);
    expect(process({ region: 'mars' })).toBe(false);

    const summarize = schemaOf('steam.Summarize');
    const summarizeInput = ajv.compile(summarize.input);
    expect(summarizeInput({ counts: { a: 1 }, pair: ['x', 1] })).toBe(true);
    expect(summarizeInput({ counts: { a: 'one' }, pair: ['x', 1] })).toBe(false);
    expect(summarizeInput({ counts: {}, pair: ['x', 1, 2] })).toBe(false);
    expect(ajv.compile(summarize.output)(null)).toBe(true);

    const email = ajv.compile(schemaOf('email.SendVerification').input);
    expect(email({ to: { email: 'a@b' }, cc: [{ email: 'c@d', name: 'C' }] })).toBe(true);
    expect(email({ to: { name: 'no email' }, cc: [] })).toBe(false);
  });
});
