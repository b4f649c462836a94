import { JobbyError, isJobbyError } from '@jobby/core';

/**
 * Errors the admin API answers with: always JSON `{ error: { code, message, details? } }`. A
 * JobbyError from the store or the client keeps its code; its HTTP status follows from the code.
 */

export type AdminErrorCode =
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'READ_ONLY'
  | 'FORBIDDEN'
  | 'PAYLOAD_TOO_LARGE'
  | 'CONFLICT'
  | 'STATEMENT_TIMEOUT'
  | 'INTERNAL';

export type HttpStatus = 400 | 401 | 403 | 404 | 409 | 413 | 500 | 503;

/** An error a handler throws to answer with `status` and `{ error: { code, message, details? } }`. */
export class AdminHttpError extends JobbyError<AdminErrorCode> {
  constructor(
    readonly status: HttpStatus,
    code: AdminErrorCode,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(code, message, details === undefined ? {} : { details });
    this.name = 'AdminHttpError';
  }
}

export const badRequest = (message: string, details?: Record<string, unknown>) => new AdminHttpError(400, 'BAD_REQUEST', message, details);
export const notFound = (message: string) => new AdminHttpError(404, 'NOT_FOUND', message);

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

const statusByJobbyCode: Partial<Record<string, HttpStatus>> = {
  INVALID_ARGUMENT: 400,
  PAYLOAD_INVALID: 400,
  PAYLOAD_NOT_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  GROUP_KEY_INVALID: 400,
  DEPENDENCY_MISSING: 400,
  DEPENDENCY_CYCLE: 400,
  UNKNOWN_JOB_TYPE: 400,
  JOB_NOT_FOUND: 404,
  DATABASE_UNAVAILABLE: 503,
};

/** Postgres's `query_canceled` (57014): the statement timeout ran out, here or under a JobbyError's cause. */
function statementTimedOut(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if ((current as { code?: unknown }).code === '57014') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Maps anything thrown by a handler to a status and a JSON body; unknown errors become a bare 500. */
export function toErrorResponse(error: unknown): { status: HttpStatus; body: ErrorBody; unexpected: boolean } {
  if (statementTimedOut(error)) {
    const message =
      'the database did not answer within the admin statement timeout (JOBBY_ADMIN_STATEMENT_TIMEOUT_MS), so that this page cannot slow the queue: narrow the filter, or try again';
    return { status: 503, body: { error: { code: 'STATEMENT_TIMEOUT', message } }, unexpected: false };
  }
  if (error instanceof AdminHttpError) {
    const details = Object.keys(error.details).length > 0 ? { details: error.details } : {};
    return { status: error.status, body: { error: { code: error.code, message: error.message, ...details } }, unexpected: false };
  }
  if (isJobbyError(error)) {
    const status = statusByJobbyCode[error.code];
    if (status) {
      return { status, body: { error: { code: error.code, message: error.message, details: publicDetails(error.details) } }, unexpected: false };
    }
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error; see the admin server log' } }, unexpected: true };
}

/** Ajv errors carry the schema; keep what a form needs (path and message). */
function publicDetails(details: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...details };
  if (Array.isArray(details.errors)) {
    result.errors = details.errors.slice(0, 50).map((item: Record<string, unknown>) => ({
      path: typeof item.instancePath === 'string' ? item.instancePath : '',
      keyword: item.keyword,
      message: item.message,
      params: item.params,
    }));
  }
  return result;
}
