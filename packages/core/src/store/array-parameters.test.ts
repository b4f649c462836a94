import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testBackends, type TestDatabase } from '../testing/test-database.js';
import { jsonbArrayParameter, textArrayLiteral } from './array-parameters.js';

/** Payload arrays reach Postgres as the jsonb[] the statements expect, on both backends. */
describe.each(testBackends)('array parameters on %s', (backend) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase({ backend });
  });
  afterAll(async () => {
    await database?.close();
  });

  /** What Postgres sees: each element as JSON text (or null), in order, and the array's length. */
  const roundTrip = async (texts: (string | null)[] | null) => {
    const { rows } = await sql<{ elements: (string | null)[] | null; length: number | null }>`
      select (select array_agg(element::text order by position) from unnest(p.value) with ordinality as u(element, position)) as elements,
             cardinality(p.value) as length
      from (select ${jsonbArrayParameter(texts)} as value) p`.execute(database.db);
    return rows[0]!;
  };

  it('carries quotes, backslashes, unicode and nulls unchanged and in order', async () => {
    const texts = [JSON.stringify({ quote: '"', backslash: '\\', both: '\\"', unicode: 'é😀\u2028', newline: 'a\nb' }), null, '[1,2,{"a":null}]', '"text"', '42'];
    const { elements, length } = await roundTrip(texts);
    expect(length).toBe(5);
    expect(elements!.map((element) => (element === null ? null : JSON.parse(element)))).toEqual(texts.map((text) => (text === null ? null : JSON.parse(text))));
    expect(elements![1]).toBeNull();
  });

  it('keeps a batch of nulls as nulls, and a missing column as NULL', async () => {
    expect((await roundTrip([null, null])).elements).toEqual([null, null]);
    // One NULL becomes an empty array; unnest pads it with NULL next to the other columns.
    const { rows } = await sql<{ output: unknown }>`
      select u.output from unnest(array[1]::int[], ${jsonbArrayParameter([null])}) as u(id, output)`.execute(database.db);
    expect(rows).toEqual([{ output: null }]);
    expect(await roundTrip(null)).toEqual({ elements: null, length: null });
  });

  it('falls back to the array encoding for text with a raw newline (pretty-printed JSON)', async () => {
    const pretty = JSON.stringify({ a: 1, b: [true] }, null, 2);
    const { elements } = await roundTrip([pretty, '{"c":2}']);
    expect(elements!.map((element) => JSON.parse(element!))).toEqual([{ a: 1, b: [true] }, { c: 2 }]);
  });

  it('refuses text that is not JSON, as the array encoding did', async () => {
    await expect(roundTrip(['{"a":1}', ''])).rejects.toThrow(/json/i);
    await expect(roundTrip(['{"a":'])).rejects.toThrow(/json/i);
  });

  it('carries keys with quotes, backslashes, braces, commas, spaces, NULL and unicode unchanged (textArrayLiteral)', async () => {
    const keys = ['plain', 'with "quotes"', 'back\\slash\\', '\\"', '{braces}', 'a,b', ' spaced ', 'NULL', 'null', 'é😀\u2028', 'line\nbreak'];
    const { rows } = await sql<{ keys: string[] }>`select ${textArrayLiteral(keys)}::text[] as keys`.execute(database.db);
    expect(rows[0]!.keys).toEqual(keys);
    const { rows: empty } = await sql<{ keys: string[] }>`select ${textArrayLiteral([])}::text[] as keys`.execute(database.db);
    expect(empty[0]!.keys).toEqual([]);
  });
});
