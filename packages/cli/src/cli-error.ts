import { JobbyError, describeError, isJobbyError, type JobbyErrorCode, type JobbyErrorOptions } from '@jobby/core/errors';

/**
 * Exit codes of every `jobby` command:
 * - 0: done;
 * - 1: the command ran but failed (database unreachable, job not found, nothing to retry, a
 *   codegen verification failure or stale output in `--check`);
 * - 2: the command was not run as asked: bad flags, bad JSON, an unknown job type, a payload that
 *   fails its schema, a missing generated registry. Nothing was written.
 */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

/** `USAGE_INVALID`: not run as asked (exit 2); `COMMAND_FAILED`: ran and failed (exit 1). */
export type CliErrorCode = 'USAGE_INVALID' | 'COMMAND_FAILED';

/**
 * A failure the CLI reports as one line and an exit code: a {@link JobbyError} whose code follows
 * from the exit code. Wrap what was caught as `cause`.
 *
 * @example
 * ```ts
 * throw new CliError(`--input is not valid JSON: ${error.message}`, exitCodes.usage, { cause: error });
 * ```
 */
export class CliError extends JobbyError<CliErrorCode> {
  constructor(
    message: string,
    readonly exitCode: number = exitCodes.usage,
    options: JobbyErrorOptions = {},
  ) {
    super(exitCode === exitCodes.usage ? 'USAGE_INVALID' : 'COMMAND_FAILED', message, options);
    this.name = 'CliError';
  }
}

/** Error codes of `@jobby/core` that mean "bad input", not "it failed": exit 2. */
const usageCodes = [
  'INVALID_ARGUMENT',
  'UNKNOWN_JOB_TYPE',
  'PAYLOAD_INVALID',
  'PAYLOAD_NOT_JSON',
  'PAYLOAD_TOO_LARGE',
  'GROUP_KEY_INVALID',
  'DEPENDENCY_MISSING',
  'DEPENDENCY_CYCLE',
  'CONFIGURATION_INVALID',
  'REGISTRY_INVALID',
  'REGISTRY_CONFLICT',
] as const satisfies readonly JobbyErrorCode[];

export function exitCodeOf(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (isJobbyError(error, usageCodes)) return exitCodes.usage;
  return exitCodes.failed;
}

/** The first line of an error's description (messages listing several problems keep the first). */
export function oneLine(error: unknown): string {
  const text = error instanceof CliError ? error.message : describeError(error);
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.length <= 1 ? (lines[0] ?? 'unknown error') : `${lines[0]} ${lines.slice(1).map((line) => line.trim()).join(' ')}`;
}
