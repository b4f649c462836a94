import { describe, expect, it } from 'vitest';
import { draftFromValue, draftToValue, fieldFromSchema, initialDraft } from './schema-form.js';

const schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $ref: '#/$defs/FetchInput',
  $defs: {
    FetchInput: {
      type: 'object',
      properties: {
        url: { type: 'string', minLength: 1 },
        pages: { type: 'integer', minimum: 1, maximum: 10 },
        ratio: { type: 'number' },
        dryRun: { type: 'boolean' },
        region: { enum: ['eu', 'us'] },
        tags: { type: 'array', items: { type: 'string' } },
        owner: { $ref: '#/$defs/Owner' },
        note: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        items: { type: 'array', items: { type: 'object', properties: { id: { type: 'number' } } } },
        kind: { const: 'full' },
      },
      required: ['url', 'pages', 'region', 'owner', 'kind'],
      additionalProperties: false,
    },
    Owner: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false },
  },
};

describe('schema form', () => {
  const field = fieldFromSchema(schema);

  it('builds fields for objects, primitives, enums, arrays of primitives, refs and nullables; JSON for the rest', () => {
    expect(field.kind).toBe('object');
    if (field.kind !== 'object') return;
    const kinds = Object.fromEntries(field.properties.map((property) => [property.name, property.field.kind]));
    expect(kinds).toEqual({
      url: 'string',
      pages: 'integer',
      ratio: 'number',
      dryRun: 'boolean',
      region: 'string',
      tags: 'array',
      owner: 'object',
      note: 'string',
      items: 'json',
      kind: 'const',
    });
    expect(field.properties.find((property) => property.name === 'note')!.field.nullable).toBe(true);
    expect(field.additionalProperties).toBe(false);
  });

  it('converts a filled draft to the input', () => {
    const draft = initialDraft(field) as Record<string, unknown>;
    Object.assign(draft, { url: 'https://x', pages: '3', ratio: '0.5', dryRun: true, region: 'eu', tags: ['a', 'b'], owner: { name: 'ann' }, note: '', items: '[{"id":1}]' });
    const { value, problems } = draftToValue(field, draft as never);
    expect(problems).toEqual([]);
    expect(value).toEqual({ url: 'https://x', pages: 3, ratio: 0.5, dryRun: true, region: 'eu', tags: ['a', 'b'], owner: { name: 'ann' }, note: null, items: [{ id: 1 }], kind: 'full' });
    expect(draftToValue(field, draftFromValue(field, value)).value).toEqual(value);
  });

  it('reports problems by JSON pointer, like the server', () => {
    const draft = initialDraft(field) as Record<string, unknown>;
    Object.assign(draft, { url: '', pages: '2.5', ratio: 'abc', region: '', owner: { name: '' }, items: '[oops' });
    const { problems } = draftToValue(field, draft as never);
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: '/url', message: 'must not be empty' },
        { path: '/pages', message: 'must be a whole number' },
        { path: '/ratio', message: 'must be a number' },
        { path: '/region', message: 'is required' },
        expect.objectContaining({ path: '/items' }),
      ]),
    );
    const tooMany = draftToValue(field, { ...draft, pages: '11' } as never);
    expect(tooMany.problems).toContainEqual({ path: '/pages', message: 'must be ≤ 10' });
  });

  it('falls back to raw JSON for a whole schema it cannot express', () => {
    expect(fieldFromSchema(undefined).kind).toBe('json');
    expect(fieldFromSchema({ type: 'array', items: { type: 'object' } }).kind).toBe('json');
    const recursive = fieldFromSchema({ $ref: '#/$defs/Node', $defs: { Node: { type: 'object', properties: { next: { $ref: '#/$defs/Node' } } } } });
    expect(recursive.kind).toBe('object');
    if (recursive.kind === 'object') expect(recursive.properties[0]!.field.kind).toBe('json');
  });
});
