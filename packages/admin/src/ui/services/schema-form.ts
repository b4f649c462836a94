/**
 * A form model from a job type's input JSON Schema (as `jobby codegen` emits it: draft 2020-12,
 * named object types under `$defs`, unions as `anyOf`/`enum`). Supported as fields: objects (nested),
 * strings, numbers, integers, booleans, enums, `const`, arrays of primitives, and nullable versions of
 * these. Anything else — arrays of objects, real unions, tuples, recursive types — becomes a raw JSON
 * field for that part only. The form's draft keeps numbers as the text typed, so that "1." or ""
 * can be shown and explained rather than silently coerced.
 *
 * `draftToValue` converts a draft to the input and reports problems the browser can see
 * (required, type, bounds, length, pattern, enum); the server validates again with the real schema.
 */

export type PrimitiveField =
  | { kind: 'string'; enum?: (string | null)[]; minLength?: number; maxLength?: number; pattern?: string; format?: string }
  | { kind: 'number' | 'integer'; minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: unknown[] }
  | { kind: 'const'; value: unknown };

export type Field = (
  | PrimitiveField
  | { kind: 'object'; properties: { name: string; field: Field; required: boolean }[]; additionalProperties: boolean }
  | { kind: 'array'; items: PrimitiveField; minItems?: number; maxItems?: number }
  | { kind: 'json'; reason: string }
) & { title?: string; description?: string; nullable?: boolean; default?: unknown };

export type Draft = string | boolean | null | Draft[] | { [name: string]: Draft };

export interface FieldProblem {
  /** JSON Pointer, as ajv's instancePath (`/address/city`, `/tags/2`). */
  path: string;
  message: string;
}

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Builds the form model. `root` is the whole schema (for `$ref: '#/$defs/…'`). */
export function fieldFromSchema(schema: unknown, root: unknown = schema, depth = 0, seen: readonly string[] = []): Field {
  if (schema === true || schema === undefined) return { kind: 'json', reason: 'any JSON value' };
  if (!isSchema(schema)) return { kind: 'json', reason: 'unsupported schema' };
  if (depth > 12) return { kind: 'json', reason: 'nested too deep for a form' };
  const annotations = {
    ...(typeof schema.title === 'string' ? { title: schema.title } : {}),
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
    ...('default' in schema ? { default: schema.default } : {}),
  };
  if (typeof schema.$ref === 'string') {
    const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(schema.$ref);
    const target = match && isSchema(root) && isSchema(root[match[1]!]) ? (root[match[1]!] as Schema)[decodeURIComponent(match[2]!)] : undefined;
    if (!target) return { kind: 'json', reason: `unresolved ${schema.$ref}` };
    if (seen.includes(schema.$ref)) return { kind: 'json', reason: 'recursive type', ...annotations };
    return { ...fieldFromSchema(target, root, depth + 1, [...seen, schema.$ref]), ...annotations };
  }
  if ('const' in schema) return { kind: 'const', value: schema.const, ...annotations };
  if (Array.isArray(schema.enum)) {
    const values = schema.enum;
    const nullable = values.includes(null);
    const rest = values.filter((value) => value !== null);
    if (rest.every((value) => typeof value === 'string')) return { kind: 'string', enum: rest as string[], nullable, ...annotations };
    return { kind: 'enum', values: rest, nullable, ...annotations };
  }
  const union = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
  if (union) {
    const nonNull = union.filter((member) => !(isSchema(member) && member.type === 'null'));
    if (nonNull.length === 1 && nonNull.length < union.length) {
      return { ...fieldFromSchema(nonNull[0], root, depth + 1, seen), nullable: true, ...annotations };
    }
    if (union.every((member) => isSchema(member) && 'const' in member)) {
      return { kind: 'enum', values: union.map((member) => (member as Schema).const), ...annotations };
    }
    return { kind: 'json', reason: 'a union of several shapes', ...annotations };
  }
  let type = schema.type;
  let nullable = false;
  if (Array.isArray(type)) {
    const nonNull = type.filter((name) => name !== 'null');
    nullable = nonNull.length < type.length;
    type = nonNull.length === 1 ? nonNull[0] : undefined;
  }
  const extra = { ...annotations, ...(nullable ? { nullable } : {}) };
  switch (type) {
    case 'string':
      return {
        kind: 'string',
        ...numberProp(schema, 'minLength'),
        ...numberProp(schema, 'maxLength'),
        ...(typeof schema.pattern === 'string' ? { pattern: schema.pattern } : {}),
        ...(typeof schema.format === 'string' ? { format: schema.format } : {}),
        ...extra,
      };
    case 'number':
    case 'integer':
      return {
        kind: type,
        ...numberProp(schema, 'minimum'),
        ...numberProp(schema, 'maximum'),
        ...numberProp(schema, 'exclusiveMinimum'),
        ...numberProp(schema, 'exclusiveMaximum'),
        ...extra,
      };
    case 'boolean':
      return { kind: 'boolean', ...extra };
    case 'array': {
      const items = schema.prefixItems ? undefined : fieldFromSchema(schema.items ?? true, root, depth + 1, seen);
      if (!items || !isPrimitive(items) || items.nullable) return { kind: 'json', reason: 'a list of structured values', ...extra };
      return { kind: 'array', items, ...numberProp(schema, 'minItems'), ...numberProp(schema, 'maxItems'), ...extra };
    }
    case 'object': {
      if (!isSchema(schema.properties)) return { kind: 'json', reason: 'an object with free-form keys', ...extra };
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      return {
        kind: 'object',
        properties: Object.entries(schema.properties).map(([name, child]) => ({ name, field: fieldFromSchema(child, root, depth + 1, seen), required: required.includes(name) })),
        additionalProperties: schema.additionalProperties !== false,
        ...extra,
      };
    }
    default:
      return { kind: 'json', reason: 'no single type', ...extra };
  }
}

function numberProp<K extends string>(schema: Schema, name: K): Partial<Record<K, number>> {
  return typeof schema[name] === 'number' ? ({ [name]: schema[name] } as Record<K, number>) : {};
}

function isPrimitive(field: Field): field is PrimitiveField & Field {
  return ['string', 'number', 'integer', 'boolean', 'enum', 'const'].includes(field.kind);
}

/** The draft a new form starts with (defaults where the schema has them). */
export function initialDraft(field: Field): Draft {
  const fallback = field.default;
  switch (field.kind) {
    case 'object':
      return Object.fromEntries(field.properties.map((property) => [property.name, initialDraft(property.field)]));
    case 'boolean':
      return typeof fallback === 'boolean' ? fallback : false;
    case 'array':
      return Array.isArray(fallback) ? fallback.map((item) => (typeof item === 'boolean' ? item : String(item))) : [];
    case 'json':
      return fallback === undefined ? '' : JSON.stringify(fallback, null, 2);
    case 'enum':
      return fallback === undefined ? '' : JSON.stringify(fallback);
    case 'const':
      return JSON.stringify(field.value);
    default:
      return fallback === undefined || fallback === null ? '' : String(fallback);
  }
}

/** The draft of an existing value (for "edit as form" after editing as JSON). */
export function draftFromValue(field: Field, value: unknown): Draft {
  if (value === undefined) return initialDraft(field);
  switch (field.kind) {
    case 'object': {
      const record = isSchema(value) ? value : {};
      return Object.fromEntries(field.properties.map((property) => [property.name, draftFromValue(property.field, record[property.name])]));
    }
    case 'boolean':
      return value === true;
    case 'array':
      return Array.isArray(value) ? value.map((item) => (typeof item === 'boolean' ? item : String(item))) : [];
    case 'json':
      return JSON.stringify(value, null, 2);
    case 'enum':
    case 'const':
      return JSON.stringify(value);
    default:
      return value === null ? '' : String(value);
  }
}

/** Converts a draft to the input value, collecting problems the browser can check. */
export function draftToValue(field: Field, draft: Draft, path = ''): { value: unknown; problems: FieldProblem[]; present: boolean } {
  const problems: FieldProblem[] = [];
  const problem = (message: string) => problems.push({ path, message });
  switch (field.kind) {
    case 'object': {
      const record = (isSchema(draft) ? draft : {}) as Record<string, Draft>;
      const value: Record<string, unknown> = {};
      for (const property of field.properties) {
        const child = draftToValue(property.field, record[property.name] ?? initialDraft(property.field), `${path}/${escapePointer(property.name)}`);
        if (child.present) value[property.name] = child.value;
        else if (property.required) problems.push({ path: `${path}/${escapePointer(property.name)}`, message: 'is required' });
        problems.push(...child.problems);
      }
      return { value, problems, present: true };
    }
    case 'boolean':
      return { value: draft === true, problems, present: true };
    case 'array': {
      const items = Array.isArray(draft) ? draft : [];
      const values = items.map((item, index) => {
        const converted = draftToValue(field.items, item, `${path}/${index}`);
        problems.push(...converted.problems);
        if (!converted.present) problems.push({ path: `${path}/${index}`, message: 'is empty' });
        return converted.value;
      });
      if (field.minItems !== undefined && values.length < field.minItems) problem(`needs at least ${field.minItems} items`);
      if (field.maxItems !== undefined && values.length > field.maxItems) problem(`takes at most ${field.maxItems} items`);
      return { value: values, problems, present: true };
    }
    case 'json':
    case 'enum':
    case 'const': {
      const text = typeof draft === 'string' ? draft.trim() : '';
      if (text === '') return { value: field.nullable ? null : undefined, problems, present: Boolean(field.nullable) };
      try {
        return { value: JSON.parse(text), problems, present: true };
      } catch (error) {
        problem(`is not valid JSON: ${(error as Error).message}`);
        return { value: undefined, problems, present: true };
      }
    }
    case 'string': {
      const text = typeof draft === 'string' ? draft : '';
      if (text === '') {
        if (field.nullable) return { value: null, problems, present: true };
        if (field.enum) return { value: undefined, problems, present: false };
        // An empty string is a value; required-ness with minLength catches "must not be empty".
      }
      if (field.enum && !field.enum.includes(text)) problem(`must be one of ${field.enum.join(', ')}`);
      if (field.minLength !== undefined && [...text].length < field.minLength) problem(field.minLength === 1 ? 'must not be empty' : `needs at least ${field.minLength} characters`);
      if (field.maxLength !== undefined && [...text].length > field.maxLength) problem(`takes at most ${field.maxLength} characters`);
      if (field.pattern !== undefined) {
        try {
          if (!new RegExp(field.pattern, 'u').test(text)) problem(`must match ${field.pattern}`);
        } catch {
          // a pattern JavaScript cannot compile: leave it to the server
        }
      }
      return { value: text, problems, present: true };
    }
    case 'number':
    case 'integer': {
      const text = typeof draft === 'string' ? draft.trim() : '';
      if (text === '') return { value: field.nullable ? null : undefined, problems, present: Boolean(field.nullable) };
      const number = Number(text);
      if (!Number.isFinite(number) || !/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
        problem('must be a number');
        return { value: undefined, problems, present: true };
      }
      if (field.kind === 'integer' && !Number.isInteger(number)) problem('must be a whole number');
      if (field.minimum !== undefined && number < field.minimum) problem(`must be ≥ ${field.minimum}`);
      if (field.maximum !== undefined && number > field.maximum) problem(`must be ≤ ${field.maximum}`);
      if (field.exclusiveMinimum !== undefined && number <= field.exclusiveMinimum) problem(`must be > ${field.exclusiveMinimum}`);
      if (field.exclusiveMaximum !== undefined && number >= field.exclusiveMaximum) problem(`must be < ${field.exclusiveMaximum}`);
      return { value: number, problems, present: true };
    }
  }
}

function escapePointer(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Problems for one field path (and, with `within`, everything below it). */
export function problemsAt(problems: readonly FieldProblem[], path: string, within = false): FieldProblem[] {
  return problems.filter((problem) => problem.path === path || (within && problem.path.startsWith(`${path}/`)));
}
