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
 * The base error of jobby.
 *
 * @example
 * ```ts
 * try { await client.submit('steam.FetchAppList', 'k', input) }
 * catch (error) { if (JobbyError.isInstance(error) && error.code === 'PAYLOAD_INVALID') … }
 * ```
 */
export class JobbyError extends Error {
  readonly code: JobbyErrorCode;
  readonly details: Record<string, unknown>;
  private readonly [marker] = true;

  constructor(code: JobbyErrorCode, message: string, options: JobbyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JobbyError';
    this.code = code;
    this.details = options.details ?? {};
  }

  /** True for jobby errors, even when two copies of `@jobby/core` are installed. */
  static isInstance(value: unknown): value is JobbyError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }

  /** Wraps an unknown thrown value; jobby errors pass through unchanged. */
  static wrap(value: unknown, code: JobbyErrorCode, message: string): JobbyError {
    if (JobbyError.isInstance(value)) return value;
    return new JobbyError(code, `${message}: ${describeError(value)}`, { cause: value });
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
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
