/**
 * Every error jobby raises is a {@link JobbyError} with a stable `code`, so that callers and
 * logs can branch on the code rather than on message text.
 */

/** Stable error codes. Never rename one: users match on them. */
export type JobbyErrorCode =
  // configuration and registry
  | 'CONFIGURATION_INVALID'
  | 'REGISTRY_INVALID'
  | 'REGISTRY_CONFLICT'
  | 'UNKNOWN_JOB_TYPE'
  | 'DUPLICATE_WORKER'
  // input
  | 'PAYLOAD_INVALID'
  | 'PAYLOAD_NOT_JSON'
  | 'PAYLOAD_TOO_LARGE'
  | 'GROUP_KEY_INVALID'
  | 'DEPENDENCY_MISSING'
  | 'DEPENDENCY_CYCLE'
  | 'JOB_NOT_FOUND'
  | 'INVALID_ARGUMENT'
  // stored rows and execution
  | 'ROW_MALFORMED'
  | 'JOB_TIMEOUT'
  | 'JOB_CANCELLED'
  | 'JOB_FAILED'
  | 'LEASE_EXPIRED'
  | 'HANDLER_MISSING'
  // infrastructure
  | 'DATABASE_UNAVAILABLE'
  | 'DATABASE_LOCKED'
  | 'MIGRATION_FAILED'
  | 'INTERNAL';

const marker = Symbol.for('jobby.error');

export interface JobbyErrorOptions {
  cause?: unknown;
  /** Extra structured facts for logs and the admin UI (job type, key, file, line…). */
  details?: Record<string, unknown>;
}

/**
 * The base error of jobby. The other packages derive their errors from it, each with codes of its
 * own: `CliError` (`@jobby/cli`), `CodegenError` (`@jobby/codegen`), `AdminHttpError`
 * (`@jobby/admin`). `Code` is the union of codes an error class uses; the core's are
 * {@link JobbyErrorCode}.
 *
 * @example
 * ```ts
 * try { await client.submit('steam.FetchAppList', 'k', input) }
 * catch (error) { if (isJobbyError(error, 'PAYLOAD_INVALID')) console.error(error.details) }
 * ```
 */
export class JobbyError<Code extends string = JobbyErrorCode> extends Error {
  readonly code: Code;
  readonly details: Record<string, unknown>;
  private readonly [marker] = true;

  // NoInfer: `new JobbyError('TYPO', …)` is a compile error (Code stays JobbyErrorCode); a derived
  // class fixes Code in its `extends` clause.
  constructor(code: NoInfer<Code>, message: string, options: JobbyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JobbyError';
    this.code = code;
    this.details = options.details ?? {};
  }

  /**
   * True for jobby errors of every package (a `CliError` or a `CodegenError` too), even when two
   * copies of `@jobby/core` are installed. {@link isJobbyError} also checks the code.
   */
  static isInstance(value: unknown): value is JobbyError<string> {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }

  /** Wraps an unknown thrown value; jobby errors pass through unchanged. */
  static wrap(value: unknown, code: JobbyErrorCode, message: string): JobbyError<string> {
    if (JobbyError.isInstance(value)) return value;
    return new JobbyError(code, `${message}: ${describeError(value)}`, { cause: value });
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/**
 * True when `value` is a jobby error ({@link JobbyError} or a class derived from it, from any
 * copy of `@jobby/core`) and, when `code` is given, has that code or one of those codes. The typed
 * way to branch on an error: never match its code or its message with a regular expression.
 *
 * @example
 * ```ts
 * if (isJobbyError(error, ['DEPENDENCY_MISSING', 'DEPENDENCY_CYCLE'])) return badDependency(error.message);
 * if (isJobbyError(error)) logger.warn({ code: error.code }, error.message);
 * ```
 */
export function isJobbyError(value: unknown): value is JobbyError<string>;
export function isJobbyError<const Code extends string>(value: unknown, code: Code | readonly Code[]): value is JobbyError<Code>;
export function isJobbyError(value: unknown, code?: string | readonly string[]): boolean {
  if (!JobbyError.isInstance(value)) return false;
  if (code === undefined) return true;
  return typeof code === 'string' ? value.code === code : code.includes(value.code);
}

/** A one-line description of any thrown value. */
export function describeError(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
