import { JobbyError, isJobbyError } from '@jobby/core';
import { describe, expect, it } from 'vitest';
import { AdminHttpError, badRequest, notFound, toErrorResponse } from './http-error.js';

describe('AdminHttpError', () => {
  it('is a JobbyError with an HTTP status', () => {
    const error = new AdminHttpError(409, 'CONFLICT', 'job 7 is running; only failed or cancelled jobs can be retried');
    expect(error).toBeInstanceOf(JobbyError);
    expect(error).toMatchObject({ name: 'AdminHttpError', status: 409, code: 'CONFLICT', details: {} });
    expect(isJobbyError(badRequest('from must be before to'), 'BAD_REQUEST')).toBe(true);
    expect(isJobbyError(notFound('job 7 does not exist'), ['NOT_FOUND'])).toBe(true);
  });
});

describe('toErrorResponse', () => {
  it('answers an AdminHttpError with its status, code and message, and details only when it has some', () => {
    expect(toErrorResponse(notFound('job 7 does not exist'))).toEqual({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'job 7 does not exist' } },
      unexpected: false,
    });
    expect(toErrorResponse(badRequest('input is missing', { field: 'input' }))).toEqual({
      status: 400,
      body: { error: { code: 'BAD_REQUEST', message: 'input is missing', details: { field: 'input' } } },
      unexpected: false,
    });
  });

  it('maps the core’s codes to a status, and anything else to a bare 500', () => {
    const invalid = new JobbyError('PAYLOAD_INVALID', 'input does not match its schema', { details: { errors: [{ instancePath: '/url', keyword: 'type', message: 'must be string', params: {}, schema: 'x' }] } });
    expect(toErrorResponse(invalid)).toEqual({
      status: 400,
      body: { error: { code: 'PAYLOAD_INVALID', message: 'input does not match its schema', details: { errors: [{ path: '/url', keyword: 'type', message: 'must be string', params: {} }] } } },
      unexpected: false,
    });
    expect(toErrorResponse(new JobbyError('DATABASE_UNAVAILABLE', 'down')).status).toBe(503);
    const internal = { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error; see the admin server log' } }, unexpected: true };
    expect(toErrorResponse(new JobbyError('MIGRATION_FAILED', 'schema is behind'))).toEqual(internal);
    // A driver error whose code looks like ours is not ours: its message is not shown.
    expect(toErrorResponse(Object.assign(new Error('secret detail'), { code: 'PAYLOAD_INVALID' }))).toEqual(internal);
  });
});
