import { Project, ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { typeToSchema } from './type-to-schema.js';

/** Converts the type alias `T` of a snippet (in memory, no core needed). */
function schemaOf(source: string, topLevelVoidIsNull = false) {
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: { strict: true, target: ts.ScriptTarget.ES2023, lib: ['lib.es2023.d.ts'] },
  });
  const file = project.createSourceFile('/input.ts', source);
  const checker = project.getProgram().compilerObject.getTypeChecker();
  const alias = file.getTypeAliasOrThrow('T').compilerNode;
  const type = checker.getTypeAtLocation(alias.name);
  return typeToSchema(type, {
    checker,
    locate: (node) => ({ file: 'input.ts', line: node.getSourceFile().getLineAndCharacterOfPosition(node.getStart()).line + 1 }),
    topLevelVoidIsNull,
  });
}

const dialect = 'https://json-schema.org/draft/2020-12/schema';

describe('typeToSchema', () => {
  it('converts primitives, literals, enums and nullable unions', () => {
    expect(schemaOf('type T = string').schema).toEqual({ $schema: dialect, type: 'string' });
    expect(schemaOf('type T = 42').schema).toEqual({ $schema: dialect, const: 42 });
    expect(schemaOf('type T = boolean | null').schema).toEqual({ $schema: dialect, anyOf: [{ type: 'boolean' }, { type: 'null' }] });
    expect(schemaOf("type T = 'a' | 'b' | null").schema).toEqual({ $schema: dialect, enum: ['a', 'b', null] });
    expect(schemaOf('enum Level { Low = 1, High = 2 }\ntype T = Level').schema).toEqual({ $schema: dialect, enum: [1, 2] });
    expect(schemaOf('type T = `id-${string}`').schema).toEqual({ $schema: dialect, type: 'string' });
    expect(schemaOf('type T = unknown').schema).toEqual({ $schema: dialect });
  });

  it('converts tuples with optional and rest elements', () => {
    expect(schemaOf('type T = [string, number?]').schema).toEqual({
      $schema: dialect,
      type: 'array',
      prefixItems: [{ type: 'string' }, { type: 'number' }],
      items: false,
      minItems: 1,
      maxItems: 2,
    });
    expect(schemaOf('type T = [string, ...number[]]').schema).toEqual({
      $schema: dialect,
      type: 'array',
      prefixItems: [{ type: 'string' }],
      items: { type: 'number' },
      minItems: 1,
    });
  });

  it('puts named and recursive types in $defs and inlines anonymous ones', () => {
    expect(schemaOf('type Node = { value: number; next: Node | null };\ntype T = { head: Node; meta: { size: number } }').schema).toEqual({
      $schema: dialect,
      $ref: '#/$defs/T',
      $defs: {
        T: {
          type: 'object',
          properties: {
            head: { $ref: '#/$defs/Node' },
            meta: { type: 'object', properties: { size: { type: 'number' } }, required: ['size'], additionalProperties: false },
          },
          required: ['head', 'meta'],
          additionalProperties: false,
        },
        Node: {
          type: 'object',
          properties: { value: { type: 'number' }, next: { anyOf: [{ type: 'null' }, { $ref: '#/$defs/Node' }] } },
          required: ['value', 'next'],
          additionalProperties: false,
        },
      },
    });
  });

  it('keeps an index signature next to declared properties', () => {
    expect(schemaOf('interface Labels { known: string; [key: string]: string }\ntype T = Labels[]').schema).toEqual({
      $schema: dialect,
      type: 'array',
      items: { $ref: '#/$defs/Labels' },
      $defs: {
        Labels: { type: 'object', properties: { known: { type: 'string' } }, required: ['known'], additionalProperties: { type: 'string' } },
      },
    });
  });

  it('treats a void output as null, and refuses undefined elsewhere', () => {
    expect(schemaOf('type T = void', true).schema).toEqual({ $schema: dialect, type: 'null' });
    expect(schemaOf('type T = { value: string | undefined }').problems).toEqual([
      { path: '.value', typeText: 'undefined', reason: 'undefined, which JSON drops (make the property optional instead)', location: { file: 'input.ts', line: 1 } },
    ]);
  });

  it('lists every non-JSON part with its path', () => {
    const problems = schemaOf('class Box { size = 1 }\ntype T = { items: { made: Date }[]; box: Box; run(): void; big: bigint }').problems;
    expect(problems.map((problem) => `${problem.path}: ${problem.reason}`)).toEqual([
      '.items[].made: a Date, which does not survive JSON.stringify → JSON.parse',
      '.box: an instance of class Box, which JSON turns into a plain object',
      '.run: a function, which JSON drops',
      '.big: a bigint, which JSON.stringify rejects',
    ]);
  });
});
