import { JobbyError } from '../errors.js';

/**
 * Postgres array literals (`{1,2,3}`) for the hot statements' array parameters. node-postgres
 * serializes a JavaScript array by quoting and escaping every element, which showed in the
 * profile for 500-job batches; ids and integers need neither, once checked to be what they claim.
 */

/** Ids or tokens as the database returned them (decimal strings). */
export function bigintArrayLiteral(values: readonly string[]): string {
  for (const value of values) {
    if (!/^-?\d{1,19}$/.test(value)) throw new JobbyError('INVALID_ARGUMENT', `${JSON.stringify(value)} is not a bigint`);
  }
  return `{${values.join(',')}}`;
}

export function integerArrayLiteral(values: readonly number[]): string {
  for (const value of values) {
    if (!Number.isSafeInteger(value)) throw new JobbyError('INVALID_ARGUMENT', `${value} is not an integer`);
  }
  return `{${values.join(',')}}`;
}
