/**
 * Errors that retrying cannot fix. A handler that throws one fails its job at once, whatever
 * attempts are left; every other error is retried with backoff up to `maxAttempts`. The mark is a
 * registered symbol, so it survives two copies of `@jobby/core` in one install (a plugin built
 * against one copy, the worker running another).
 */

const nonRetryableMark = Symbol.for('jobby.non-retryable');

export interface NonRetryableErrorOptions {
  /** A stable code for the stored error (default `HANDLER_ERROR`, like any handler error). */
  code?: string;
  cause?: unknown;
}

/**
 * Throw it (or a subclass) from a handler when the job can never succeed: bad input that passed
 * the schema, a permanent 4xx answer, a missing dependency. The job fails at once, with this
 * error as its `lastError`.
 *
 * @example
 * ```ts
 * export class InvalidEmailError extends NonRetryableError {}
 * registry.register(EmailJob.Send, 'email_sender', ({ input }) => {
 *   if (!input.address.includes('@')) throw new InvalidEmailError(`"${input.address}" is not an email address`);
 *   …
 * });
 * ```
 */
export class NonRetryableError extends Error {
  readonly code: string | undefined;
  private readonly [nonRetryableMark] = true;

  constructor(message: string, options: NonRetryableErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
  }

  /** True for errors marked non-retryable (this class, its subclasses, {@link nonRetryable}). */
  static isInstance(value: unknown): boolean {
    return isNonRetryable(value);
  }
}

/**
 * Marks an error you did not create (a library's, a `JobbyError`) as non-retryable and returns it.
 *
 * @example
 * ```ts
 * throw nonRetryable(new JobbyError('DEPENDENCY_MISSING', 'billing.Invoice:42 has no dependency billing.Order'));
 * ```
 */
export function nonRetryable<TError extends object>(error: TError): TError {
  Object.defineProperty(error, nonRetryableMark, { value: true, enumerable: false });
  return error;
}

/** True when retrying `error` cannot help: the runtime then fails the job at once. */
export function isNonRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[nonRetryableMark] === true;
}
