import { badRequest } from './http-error.js';

/**
 * Small validators for query parameters and JSON bodies. Each returns the typed value or throws a
 * 400 naming the parameter, what it must be and what it got, so a bad request is never a 500.
 */

export type Query = Record<string, string | undefined>;

const show = (value: unknown) => JSON.stringify(value)?.slice(0, 80) ?? String(value);

/** Rejects parameters the endpoint does not know (a typo should not silently list everything). */
export function assertKnownParams(query: Query, known: readonly string[]): void {
  const unknown = Object.keys(query).filter((name) => !known.includes(name));
  if (unknown.length > 0) throw badRequest(`unknown query parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known: ${known.join(', ')}`);
}

export function optionalString(query: Query, name: string, options: { maxLength: number }): string | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  if (value.length > options.maxLength) throw badRequest(`${name} must be at most ${options.maxLength} characters`);
  return value;
}

export function optionalInteger(query: Query, name: string, options: { min: number; max: number; fallback?: number }): number | undefined {
  const value = query[name];
  if (value === undefined || value === '') return options.fallback;
  if (!/^-?\d{1,15}$/.test(value)) throw badRequest(`${name} must be an integer, got ${show(value)}`);
  const number = Number(value);
  if (number < options.min || number > options.max) throw badRequest(`${name} must be between ${options.min} and ${options.max}, got ${number}`);
  return number;
}

export function optionalEnum<T extends string>(query: Query, name: string, allowed: readonly T[]): T | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw badRequest(`${name} must be one of ${allowed.join(', ')}, got ${show(value)}`);
  return value as T;
}

/** A comma-separated list, each item checked; empty or missing → undefined. */
export function optionalList<T>(query: Query, name: string, parse: (item: string) => T, options: { maxItems: number }): T[] | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  const items = value.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
  if (items.length > options.maxItems) throw badRequest(`${name} takes at most ${options.maxItems} values`);
  return items.map(parse);
}

/** An ISO 8601 timestamp, or a relative one: `-15m`, `-24h`, `-7d` (before now). */
export function optionalTime(query: Query, name: string, now: Date = new Date()): Date | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  const relative = /^-(\d{1,6})([smhd])$/.exec(value);
  if (relative) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+)?(Z|[+-]\d{2}:?\d{2})?$/.test(value)) {
    throw badRequest(`${name} must be an ISO 8601 time (2026-01-31T12:00:00Z) or relative (-24h), got ${show(value)}`);
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1970 || date.getUTCFullYear() > 9999) throw badRequest(`${name} is not a valid time: ${show(value)}`);
  return date;
}

/** A job id path parameter: a positive bigint in decimal. */
export function jobIdParam(value: string | undefined): string {
  if (value === undefined || !/^[1-9]\d{0,17}$/.test(value)) throw badRequest(`job id must be a positive integer, got ${show(value)}`);
  return value;
}

// ---- JSON bodies ----------------------------------------------------------------------------

export function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

export function assertKnownFields(body: Record<string, unknown>, known: readonly string[], what: string): void {
  const unknown = Object.keys(body).filter((name) => !known.includes(name));
  if (unknown.length > 0) throw badRequest(`${what} has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known: ${known.join(', ')}`);
}

export function bodyString(body: Record<string, unknown>, name: string, options: { minLength?: number; maxLength: number }): string {
  const value = body[name];
  if (typeof value !== 'string') throw badRequest(`${name} must be a string`, { field: name });
  if (value.length < (options.minLength ?? 0) || value.length > options.maxLength) {
    throw badRequest(`${name} must be ${options.minLength ?? 0}–${options.maxLength} characters`, { field: name });
  }
  return value;
}

export function bodyOptionalInteger(body: Record<string, unknown>, name: string, options: { min: number; max: number }): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < options.min || value > options.max) {
    throw badRequest(`${name} must be an integer between ${options.min} and ${options.max}`, { field: name });
  }
  return value;
}
