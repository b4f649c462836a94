import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import type { JsonSchema } from '../contract/json.js';
import { JobbyError } from '../errors.js';
import { describeLoneSurrogate, loneSurrogateIndex } from '../store/job-key.js';
import type { RegisteredJobType } from './registry.js';

/**
 * Validates inputs and outputs against the JSON Schemas that `jobby codegen` emitted. Validators
 * are compiled once per job type, on first use (or ahead of it: `prepare`). A job type without a
 * schema accepts any JSON value.
 */

export const defaultMaxPayloadBytes = 1024 * 1024;

export interface PayloadValidator {
  /** Serializes and checks an input for submission. */
  serializeInput(type: RegisteredJobType, input: unknown): string;
  /** Checks an input read back from the database: its size, then its schema. */
  checkInput(type: RegisteredJobType, input: unknown): JobbyError | undefined;
  /** Serializes and checks a handler's output. */
  serializeOutput(type: RegisteredJobType, output: unknown): string | null;
  /** Compiles the type's validators ahead of their first use. */
  prepare(type: RegisteredJobType): void;
}

export interface ToJsonOptions {
  /** How the message names the value itself: `$` (default), or `input` for `input.items[3].name`. */
  root?: string;
  /**
   * Refuse with `PAYLOAD_TOO_LARGE` as soon as the JSON text is known to exceed this many bytes
   * (UTF-8), before the rest of the value is walked or anything is serialized. Default: no limit.
   */
  maxBytes?: number;
}

/**
 * JSON text of a value, or an error naming what cannot travel as JSON (`PAYLOAD_NOT_JSON`), or
 * what Postgres cannot store (`INVALID_ARGUMENT`: a lone UTF-16 surrogate, which JSON.stringify
 * escapes as `\udXXX` and jsonb refuses), and where.
 *
 * @example
 * ```ts
 * toJson({ items: [{ name: '😀'.slice(0, 1) }] }, 'input of demo.Strict', { root: 'input' });
 * // throws INVALID_ARGUMENT: input of demo.Strict: input.items[0].name contains a lone UTF-16 surrogate (U+D83D at index 0), …
 * ```
 */
export function toJson(value: unknown, what: string, options: ToJsonOptions = {}): string {
  const size: SizeBound = { bytes: 0, maxBytes: options.maxBytes ?? Number.POSITIVE_INFINITY };
  const problem = findNonJson(value, 0, size);
  if (problem) {
    const place = formatPath(problem.path, options.root);
    if (problem.tooLarge) {
      throw new JobbyError(
        'PAYLOAD_TOO_LARGE',
        `${what} is over the limit of ${size.maxBytes} bytes: its JSON text has at least ${size.bytes} bytes by ${place}, where counting stopped`,
        { details: { maxBytes: size.maxBytes, atLeastBytes: size.bytes, path: place } },
      );
    }
    if (problem.storable === false) throw new JobbyError('INVALID_ARGUMENT', `${what}: ${place} ${problem.reason}`, { details: { path: place } });
    throw new JobbyError('PAYLOAD_NOT_JSON', `${what} is not JSON: ${place} ${problem.reason}`, { details: { path: place } });
  }
  return JSON.stringify(value);
}

interface NonJson {
  /** From the root down: property names and array indexes. */
  path: (string | number)[];
  reason: string;
  /** False for JSON that Postgres cannot store (lone surrogates): INVALID_ARGUMENT, not PAYLOAD_NOT_JSON. */
  storable?: false;
  /** The size bound passed its limit here (PAYLOAD_TOO_LARGE). */
  tooLarge?: true;
}

/**
 * A lower bound of the JSON text's size in UTF-8 bytes, kept while walking: every string counts
 * its UTF-16 length + 2 (a UTF-8 character takes at least as many bytes as UTF-16 units, and
 * escapes only add), numbers 1, true/null 4, false 5, brackets and separators 1 each, a property
 * its name + 4 (quotes, colon, comma). Once past `maxBytes` the walk stops: a 100 MB input is
 * refused after reading as much of it as the limit (or, for one big string, its length alone),
 * not after walking, validating and serializing all of it (1.1 s and +271 MB, issue 16, item 6).
 * Being a lower bound it never refuses a payload that fits; the exact size of the text is still
 * checked after serialization.
 */
interface SizeBound {
  bytes: number;
  maxBytes: number;
}

const tooLarge = (): NonJson => ({ path: [], reason: 'is over the size limit', tooLarge: true });

const loneSurrogateReason = (text: string, index: number) =>
  `contains ${describeLoneSurrogate(text, index)}, half of a character (a string cut inside an emoji, say), which Postgres cannot store; cut strings at character boundaries`;

/**
 * The first value that cannot travel as JSON, and why. Every submitted payload is walked, so the
 * walk allocates nothing until it finds a problem: the path is collected on the way back up.
 */
function findNonJson(value: unknown, depth: number, size: SizeBound): NonJson | undefined {
  if (depth > 200) return { path: [], reason: 'nests deeper than 200 levels' };
  switch (typeof value) {
    case 'string': {
      // Before anything reads the string's content.
      if ((size.bytes += value.length + 2) > size.maxBytes) return tooLarge();
      // Postgres cannot store U+0000 in text or jsonb, nor a lone surrogate in jsonb.
      if (value.includes('\u0000')) return { path: [], reason: 'contains a NUL character (U+0000), which Postgres cannot store' };
      const surrogate = loneSurrogateIndex(value);
      return surrogate < 0 ? undefined : { path: [], reason: loneSurrogateReason(value, surrogate), storable: false };
    }
    case 'boolean':
      return (size.bytes += value ? 4 : 5) > size.maxBytes ? tooLarge() : undefined;
    case 'number':
      if (!Number.isFinite(value)) return { path: [], reason: `is ${value}` };
      return ++size.bytes > size.maxBytes ? tooLarge() : undefined;
    case 'bigint':
      return { path: [], reason: 'is a bigint' };
    case 'undefined':
      return { path: [], reason: 'is undefined' };
    case 'function':
      return { path: [], reason: 'is a function' };
    case 'symbol':
      return { path: [], reason: 'is a symbol' };
    case 'object': {
      if (value === null) return (size.bytes += 4) > size.maxBytes ? tooLarge() : undefined;
      if (Array.isArray(value)) {
        size.bytes += 1;
        for (let index = 0; index < value.length; index++) {
          // The separator; an element's own bound is added (and checked) by its visit.
          size.bytes += 1;
          const problem = findNonJson(value[index], depth + 1, size);
          if (problem) {
            problem.path.unshift(index);
            return problem;
          }
        }
        return undefined;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) {
        return { path: [], reason: `is a ${(value as object).constructor?.name ?? 'class'} instance, not a plain object` };
      }
      const record = value as Record<string, unknown>;
      size.bytes += 1;
      // The keys JSON.stringify writes: own, enumerable, strings.
      for (const key in record) {
        if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
        if (key.includes('\u0000')) return { path: [], reason: 'has a property name with a NUL character (U+0000), which Postgres cannot store' };
        const surrogate = loneSurrogateIndex(key);
        if (surrogate >= 0) return { path: [], reason: `has a property name ${JSON.stringify(key)} that ${loneSurrogateReason(key, surrogate)}`, storable: false };
        const child = record[key];
        // Like JSON.stringify, an undefined property is simply left out.
        if (child === undefined) continue;
        size.bytes += key.length + 4;
        const problem = findNonJson(child, depth + 1, size);
        if (problem) {
          problem.path.unshift(key);
          return problem;
        }
      }
      return undefined;
    }
    default:
      return { path: [], reason: `has type ${typeof value}` };
  }
}

/** `$`, `$.a.b`, `$.list[2]` (or `input.list[2]`): where a problem is, for the error message. */
function formatPath(path: readonly (string | number)[], root = '$'): string {
  return `${root}${path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${segment}`)).join('')}`;
}

const ajvOptions = { allErrors: true, strict: false };
/**
 * One Ajv for the process, and its validators by schema text. An Ajv's first compile also compiles
 * the JSON Schema meta-schema it checks schemas against: 10–25 ms, which every client and worker
 * paid again with an Ajv of its own (a second client's first submission took ~25 ms instead of
 * ~3). Validators are pure functions of their schema, so sharing them is safe; `errors` is read
 * right after the synchronous call that sets it.
 */
let sharedAjv: Ajv2020 | undefined;
const validatorsBySchema = new Map<string, ValidateFunction>();

function compileSchema(schema: object): ValidateFunction {
  const text = JSON.stringify(schema);
  let validate = validatorsBySchema.get(text);
  if (!validate) {
    sharedAjv ??= new Ajv2020(ajvOptions);
    try {
      validate = sharedAjv.compile(schema);
    } catch (error) {
      // Two different schemas with the same `$id` cannot live in one Ajv: the second gets its own.
      if (!/already exists/.test((error as Error).message)) throw error;
      validate = new Ajv2020(ajvOptions).compile(schema);
    }
    validatorsBySchema.set(text, validate);
  }
  return validate;
}

export function createPayloadValidator(options: { maxPayloadBytes?: number } = {}): PayloadValidator {
  const maxBytes = options.maxPayloadBytes ?? defaultMaxPayloadBytes;
  // By type id, one map per direction: looked up for every payload (no key to build per call).
  const caches = { input: new Map<number, ValidateFunction | null>(), output: new Map<number, ValidateFunction | null>() };
  const compiled = (type: RegisteredJobType, which: 'input' | 'output'): ValidateFunction | null => {
    const cache = caches[which];
    let validate = cache.get(type.id);
    if (validate === undefined) {
      const schema: JsonSchema | undefined = which === 'input' ? type.inputSchema : type.outputSchema;
      validate = schema === undefined ? null : compileSchema(schema as object);
      cache.set(type.id, validate);
    }
    return validate;
  };
  const check = (type: RegisteredJobType, which: 'input' | 'output', value: unknown): JobbyError | undefined => {
    const validate = compiled(type, which);
    if (!validate || validate(value)) return undefined;
    const problems = (validate.errors ?? []).slice(0, 5).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
    return new JobbyError('PAYLOAD_INVALID', `${which} of ${type.fullName} does not match its schema: ${problems.join('; ')}`, {
      details: { type: type.fullName, which, errors: validate.errors ?? [] },
    });
  };
  const sized = (type: RegisteredJobType, which: 'input' | 'output', json: string): string => {
    const bytes = Buffer.byteLength(json);
    if (bytes > maxBytes) {
      throw new JobbyError('PAYLOAD_TOO_LARGE', `${which} of ${type.fullName} is ${bytes} bytes; the limit is ${maxBytes}`, {
        details: { type: type.fullName, bytes, maxBytes },
      });
    }
    return json;
  };
  return {
    serializeInput(type, input) {
      // The size first, while walking (toJson stops once the input is known to be too large),
      // then exactly, and only then the schema: ajv never walks an oversize input.
      const json = sized(type, 'input', toJson(input, `input of ${type.fullName}`, { root: 'input', maxBytes }));
      const error = check(type, 'input', input);
      if (error) throw error;
      return json;
    },
    checkInput(type, input) {
      // A row written around the client (raw SQL, an older limit) is held to the same limit as a
      // submission. The size is measured first so that ajv never walks an oversize payload.
      const bytes = Buffer.byteLength(JSON.stringify(input) ?? '');
      if (bytes > maxBytes) {
        return new JobbyError('PAYLOAD_TOO_LARGE', `input of ${type.fullName} is ${bytes} bytes; the limit is ${maxBytes}`, {
          details: { type: type.fullName, bytes, maxBytes },
        });
      }
      return check(type, 'input', input);
    },
    prepare(type) {
      compiled(type, 'input');
      compiled(type, 'output');
    },
    serializeOutput(type, output) {
      if (output === undefined || output === null) return null;
      const json = sized(type, 'output', toJson(output, `output of ${type.fullName}`, { root: 'output', maxBytes }));
      const error = check(type, 'output', output);
      if (error) throw error;
      return json;
    },
  };
}
