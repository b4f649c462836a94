import pg from 'pg';
import { JobbyError } from '../errors.js';

/**
 * Literals for statements sent as simple-protocol queries (store-context.ts `simpleQuery`), which
 * cannot carry bind parameters. Every value that goes into such a statement goes through one of
 * these: text is quoted by node-postgres' `escapeLiteral`, numbers and ids are checked to be what
 * they claim.
 */

export function textLiteral(value: string): string {
  // Fast path for the common case (JSON without quotes or backslashes in strings): escapeLiteral
  // walks the string character by character, which showed in the profile for 500-job batches.
  if (!value.includes("'") && !value.includes('\\')) return `'${value}'`;
  return pg.escapeLiteral(value);
}

export function integerLiteral(value: number): string {
  if (!Number.isSafeInteger(value)) throw new JobbyError('INVALID_ARGUMENT', `${value} is not an integer`);
  return String(value);
}

/** A bigint id or token as the database returned it (a decimal string). */
export function bigintLiteral(value: string): string {
  if (!/^-?\d{1,19}$/.test(value)) throw new JobbyError('INVALID_ARGUMENT', `${JSON.stringify(value)} is not a bigint`);
  return value;
}

export function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new JobbyError('INVALID_ARGUMENT', `${value} is not a finite number`);
  return String(value);
}

/** A schema-qualified name whose parts were validated by `assertSchemaName`. */
export function qualified(schema: string, name: string): string {
  return `"${schema}"."${name}"`;
}
