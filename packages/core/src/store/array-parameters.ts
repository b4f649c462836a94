import { sql, type RawBuilder } from 'kysely';
import { JobbyError } from '../errors.js';

/**
 * Array parameters of the batch statements, which take one array per column (`unnest`).
 *
 * Literals (`{1,2,3}`) for ids and integers: node-postgres serializes a JavaScript array by quoting
 * and escaping every element, which showed in the profile for 500-job batches; ids and integers
 * need neither, once checked to be what they claim.
 */

/** Ids or tokens as the database returned them (decimal strings). */
export function bigintArrayLiteral(values: readonly string[]): string {
  for (const value of values) {
    if (!/^-?\d{1,19}$/.test(value)) throw new JobbyError('INVALID_ARGUMENT', `${JSON.stringify(value)} is not a bigint`);
  }
  return `{${values.join(',')}}`;
}

/**
 * One optional column of a batch: NULL when no item sets it (unnest pads a NULL array with NULLs,
 * so the statement applies its default), else the values with NULL where an item leaves it out.
 */
export function optionalColumn<Item, Value>(items: readonly Item[], pick: (item: Item) => Value | undefined): (Value | null)[] | null {
  return items.some((item) => pick(item) !== undefined) ? items.map((item) => pick(item) ?? null) : null;
}

/** Finite numbers (NULL where absent) as an array literal (`{1.5,NULL}`); NULL for a column no item sets. */
export function numberArrayLiteral(values: readonly (number | null)[] | null): string | null {
  if (values === null) return null;
  for (const value of values) {
    if (value !== null && !Number.isFinite(value)) throw new JobbyError('INVALID_ARGUMENT', `${value} is not a finite number`);
  }
  return `{${values.map((value) => (value === null ? 'NULL' : String(value))).join(',')}}`;
}

export function integerArrayLiteral(values: readonly number[]): string {
  for (const value of values) {
    if (!Number.isSafeInteger(value)) throw new JobbyError('INVALID_ARGUMENT', `${value} is not an integer`);
  }
  return `{${values.join(',')}}`;
}

const specialInArray = /["\\]/;
const specialInArrayAll = /["\\]/g;

/**
 * Texts as an array literal (`{"a","b\\"c"}`): every element quoted, `"` and `\` escaped, as
 * node-postgres does it, with one test per element instead of two replacements (keys of a batch
 * enqueue showed in its profile).
 */
export function textArrayLiteral(values: readonly string[]): string {
  let literal = '{';
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    literal += `${index === 0 ? '' : ','}"${specialInArray.test(value) ? value.replace(specialInArrayAll, '\\$&') : value}"`;
  }
  return `${literal}}`;
}

/**
 * JSON texts (payloads) for a `jsonb[]` argument, as one text parameter: joined by newlines and
 * split in SQL by `string_to_array`, with the empty string for NULL. node-postgres's array encoding
 * quotes every element and escapes every `"` in it — a JSON object always has some — which made
 * it the largest allocation of a batch enqueue (~0.8 KB per job in the allocation profile of
 * scripts/probe-enqueue.ts). JSON.stringify never writes a raw newline, and JSON text is never
 * empty; texts from elsewhere that break either rule take node-postgres's encoding instead.
 * (A one-element batch of NULL becomes an empty array: `unnest` pads it with NULL all the same.)
 */
export function jsonbArrayParameter(texts: readonly (string | null)[] | null): RawBuilder<unknown> {
  if (texts === null) return sql`null::jsonb[]`;
  for (const text of texts) {
    if (text !== null && (text.length === 0 || text.includes('\n'))) return sql`${sql.val(texts)}::jsonb[]`;
  }
  // join writes '' for null.
  return sql`string_to_array(${texts.join('\n')}::text, E'\\n', '')::jsonb[]`;
}
