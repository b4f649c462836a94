import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { demoRegistry } from '../testing/demo-plugin.js';
import { createPayloadValidator, toJson } from './payload-validator.js';

/**
 * Inputs read back from the database are checked like submissions: a row written by raw SQL (or
 * by an older version with a larger limit) must fail with a clear code, not run.
 */
describe('payload validator on claimed inputs', () => {
  const produce = demoRegistry.require('demo.Produce');

  it('accepts a valid input within the size limit', () => {
    const validator = createPayloadValidator({ maxPayloadBytes: 64 });
    expect(validator.checkInput(produce, { value: 1 })).toBeUndefined();
  });

  it('refuses an oversize input with PAYLOAD_TOO_LARGE, naming its size and the limit', () => {
    const validator = createPayloadValidator({ maxPayloadBytes: 64 });
    const input = { value: 1, padding: 'x'.repeat(100) };
    const error = validator.checkInput(produce, input);
    expect(error?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error?.message).toContain(`${Buffer.byteLength(JSON.stringify(input))} bytes; the limit is 64`);
  });

  it('refuses a schema-invalid input with PAYLOAD_INVALID', () => {
    const validator = createPayloadValidator();
    expect(validator.checkInput(produce, { value: 'one' })?.code).toBe('PAYLOAD_INVALID');
  });
});

describe('payload validator on submitted inputs: the size first', () => {
  const produce = demoRegistry.require('demo.Produce');

  it('refuses an oversize input as soon as it is known to be too large, before walking or serializing the rest', () => {
    const validator = createPayloadValidator({ maxPayloadBytes: 1_024 });
    let laterRead = false;
    const input = { value: 1, big: 'x'.repeat(10_000) };
    Object.defineProperty(input, 'later', { enumerable: true, get: () => ((laterRead = true), 'y') });
    let thrown: { code?: string; message?: string; details?: unknown } | undefined;
    try {
      validator.serializeInput(produce, input);
    } catch (error) {
      thrown = error as typeof thrown;
    }
    expect(thrown?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(thrown?.message).toBe('input of demo.Produce is over the limit of 1024 bytes: its JSON text has at least 10020 bytes by input.big, where counting stopped');
    // Neither the walk nor JSON.stringify reached the property after the big string.
    expect(laterRead).toBe(false);
  });

  it('stops inside a long array too, and before the schema check', () => {
    const validator = createPayloadValidator({ maxPayloadBytes: 1_000 });
    const items: unknown[] = Array.from({ length: 2_000 }, () => 1);
    let tailRead = false;
    Object.defineProperty(items, 1_999, { enumerable: true, get: () => ((tailRead = true), 1) });
    // `items` is not in demo.Produce's schema: a schema check first would say PAYLOAD_INVALID.
    expect(() => validator.serializeInput(produce, { items })).toThrow(/over the limit of 1000 bytes: its JSON text has at least 100\d bytes by input\.items\[\d+\]/);
    expect(tailRead).toBe(false);
  });

  it('measures the exact size after serializing: multi-byte text within the bound but over the limit is refused', () => {
    const validator = createPayloadValidator({ maxPayloadBytes: 1_024 });
    const input = { value: 1, label: '\u00e9'.repeat(600) };
    expect(() => validator.serializeInput(produce, input)).toThrow(`input of demo.Produce is ${Buffer.byteLength(JSON.stringify(input))} bytes; the limit is 1024`);
  });

  it('never refuses a value whose JSON text fits: the bound is below the real size', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(toJson(value, 'input', { maxBytes: Buffer.byteLength(text) })).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});

describe('validators shared across clients (one Ajv per process)', () => {
  const produce = demoRegistry.require('demo.Produce');
  // Two job types whose different schemas carry the same $id: one Ajv cannot hold both.
  const withId = (id: number, name: string, schema: object) => ({ ...produce, id, fullName: `demo.${name}`, inputSchema: schema as never });
  const counts = withId(7900, 'Counts', { $id: 'urn:jobby-test:same', type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] });
  const labels = withId(7901, 'Labels', { $id: 'urn:jobby-test:same', type: 'object', properties: { label: { type: 'string' } }, required: ['label'] });

  it('checks each type against its own schema, also when two schemas share an $id', () => {
    const validator = createPayloadValidator();
    expect(validator.checkInput(counts, { n: 1 })).toBeUndefined();
    expect(validator.checkInput(labels, { label: 'x' })).toBeUndefined();
    expect(validator.checkInput(labels, { n: 1 })?.message).toContain("must have required property 'label'");
    expect(validator.checkInput(counts, { label: 'x' })?.message).toContain("must have required property 'n'");
    const another = createPayloadValidator();
    expect(another.checkInput(labels, { n: 1 })?.message).toContain("must have required property 'label'");
  });

  it('keeps the errors of one check apart from the next, across validators', () => {
    const first = createPayloadValidator();
    const second = createPayloadValidator();
    expect(first.checkInput(produce, { value: 'one' })?.message).toContain('/value must be number');
    expect(second.checkInput(produce, { value: 2 })).toBeUndefined();
    expect(first.checkInput(produce, {})?.message).toContain("must have required property 'value'");
  });
});

describe('toJson: values that cannot travel as JSON', () => {
  class Money {
    constructor(readonly cents: number) {}
  }
  const cases: [string, unknown, string][] = [
    ['a NaN deep in arrays and objects', { a: [1, { b: [0, NaN] }] }, '$.a[1].b[1] is NaN'],
    ['Infinity at the root', Infinity, '$ is Infinity'],
    ['undefined in an array (JSON.stringify would write null)', [1, undefined], '$[1] is undefined'],
    ['a bigint', { id: 1n }, '$.id is a bigint'],
    ['a function', { run: () => 1 }, '$.run is a function'],
    ['a class instance', { price: new Money(5) }, '$.price is a Money instance, not a plain object'],
    ['a Date (a class instance too)', { at: new Date(0) }, '$.at is a Date instance, not a plain object'],
    ['a NUL in a string', { name: 'a\u0000b' }, '$.name contains a NUL character (U+0000), which Postgres cannot store'],
    ['a NUL in a property name', { outer: { 'a\u0000': 1 } }, '$.outer has a property name with a NUL character (U+0000), which Postgres cannot store'],
  ];
  it.each(cases)('names %s and where it is', (_name, value, message) => {
    expect(() => toJson(value, 'input of demo.Produce')).toThrow(`input of demo.Produce is not JSON: ${message}`);
    const thrown = (() => {
      try {
        toJson(value, 'input');
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toMatchObject({ code: 'PAYLOAD_NOT_JSON' });
  });

  it('refuses a lone UTF-16 surrogate in a string or a property name with INVALID_ARGUMENT, naming the place', () => {
    const cut = '\u{1F600}'.slice(0, 1);
    const attempt = (value: unknown) => {
      try {
        toJson(value, 'input of demo.Strict', { root: 'input' });
      } catch (error) {
        return error as { code: string; message: string; details: Record<string, unknown> };
      }
      throw new Error('accepted');
    };
    const inString = attempt({ items: [{}, {}, {}, { name: `ab${cut}` }] });
    expect(inString.code).toBe('INVALID_ARGUMENT');
    expect(inString.message).toBe(
      'input of demo.Strict: input.items[3].name contains a lone UTF-16 surrogate (U+D83D at index 2), half of a character (a string cut inside an emoji, say), which Postgres cannot store; cut strings at character boundaries',
    );
    expect(inString.details).toEqual({ path: 'input.items[3].name' });
    const inName = attempt({ tags: { [`x${cut}`]: 1 } });
    expect(inName.code).toBe('INVALID_ARGUMENT');
    expect(inName.message).toContain('input.tags has a property name');
    // Whole characters, and text that merely looks like an escape, are fine.
    expect(toJson({ name: '\u{1F600}', escaped: '\\ud83d' }, 'input')).toBe(JSON.stringify({ name: '\u{1F600}', escaped: '\\ud83d' }));
  });

  it('names a value nested deeper than 200 levels', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 205; level++) deep = { d: deep };
    expect(() => toJson(deep, 'input')).toThrow(`input is not JSON: $${'.d'.repeat(201)} nests deeper than 200 levels`);
  });

  it('serializes plain values as JSON.stringify does, leaving undefined properties out', () => {
    const value = { a: 1, b: undefined, c: [true, null, 'x'], d: { e: Object.create(null) } };
    expect(toJson(value, 'input')).toBe(JSON.stringify(value));
    expect(toJson('text', 'input')).toBe('"text"');
  });
});
