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

export function integerArrayLiteral(values: readonly number[]): string {
  for (const value of values) {
    if (!Number.isSafeInteger(value)) throw new JobbyError('INVALID_ARGUMENT', `${value} is not an integer`);
  }
  return `{${values.join(',')}}`;
}
