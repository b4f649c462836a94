import { describe, expect, expectTypeOf, it } from 'vitest';
import { JobbyError, isJobbyError, type JobbyErrorCode } from './errors.js';

/** A package's own error family member, as `CliError`, `CodegenError` and `AdminHttpError` are. */
class ShopError extends JobbyError<'SHOP_CLOSED' | 'SHOP_EMPTY'> {
  constructor(code: 'SHOP_CLOSED' | 'SHOP_EMPTY', message: string, cause?: unknown) {
    super(code, message, { cause });
    this.name = 'ShopError';
  }
}

describe('JobbyError', () => {
  it('carries a stable code, a cause and details, and serializes them', () => {
    const cause = new Error('connection reset');
    const error = new JobbyError('DATABASE_UNAVAILABLE', 'could not reach Postgres', { cause, details: { host: '127.0.0.1' } });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'JobbyError', code: 'DATABASE_UNAVAILABLE', message: 'could not reach Postgres', cause, details: { host: '127.0.0.1' } });
    expect(JSON.parse(JSON.stringify(error))).toEqual({ name: 'JobbyError', code: 'DATABASE_UNAVAILABLE', message: 'could not reach Postgres', details: { host: '127.0.0.1' } });
    expect('cause' in new JobbyError('INTERNAL', 'no cause')).toBe(false);
  });

  it('is the base of other packages’ errors, which keep their own codes and names', () => {
    const cause = new Error('door locked');
    const error = new ShopError('SHOP_CLOSED', 'the shop is closed', cause);
    expect(error).toBeInstanceOf(JobbyError);
    expect(error).toMatchObject({ name: 'ShopError', code: 'SHOP_CLOSED', cause, details: {} });
    expect(JobbyError.isInstance(error)).toBe(true);
    expect(JobbyError.wrap(error, 'INTERNAL', 'wrapped')).toBe(error);
    expect(JobbyError.wrap(cause, 'INTERNAL', 'wrapped')).toMatchObject({ code: 'INTERNAL', message: 'wrapped: door locked', cause });
  });
});

describe('isJobbyError', () => {
  it('recognises jobby errors, with a code or any of several codes', () => {
    const error = new JobbyError('PAYLOAD_INVALID', 'bad input');
    expect(isJobbyError(error)).toBe(true);
    expect(isJobbyError(error, 'PAYLOAD_INVALID')).toBe(true);
    expect(isJobbyError(error, 'PAYLOAD_TOO_LARGE')).toBe(false);
    expect(isJobbyError(error, ['DEPENDENCY_MISSING', 'PAYLOAD_INVALID'])).toBe(true);
    expect(isJobbyError(error, [])).toBe(false);
    expect(isJobbyError(new ShopError('SHOP_EMPTY', 'nothing left'), 'SHOP_EMPTY')).toBe(true);
    expect(isJobbyError(new ShopError('SHOP_EMPTY', 'nothing left'), 'PAYLOAD_INVALID')).toBe(false);
  });

  it('does not mistake other errors that carry a code for jobby errors', () => {
    const postgres = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505', severity: 'ERROR' });
    const node = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    for (const value of [postgres, node, { code: 'PAYLOAD_INVALID', message: 'a plain object' }, new Error('PAYLOAD_INVALID'), 'PAYLOAD_INVALID', null, undefined]) {
      expect(isJobbyError(value)).toBe(false);
      expect(isJobbyError(value, 'PAYLOAD_INVALID')).toBe(false);
    }
  });

  it('recognises an error made by a second copy of the module (two installed copies of @jobby/core)', async () => {
    // The query string makes Vite load errors.ts again: a second module, a second JobbyError class.
    const specifier = './errors.js?second-copy';
    const copy = (await import(specifier)) as typeof import('./errors.js');
    const foreign = new copy.JobbyError('JOB_NOT_FOUND', 'from the other copy');
    expect(copy.JobbyError).not.toBe(JobbyError);
    expect(foreign).not.toBeInstanceOf(JobbyError);
    expect(isJobbyError(foreign, 'JOB_NOT_FOUND')).toBe(true);
    expect(copy.isJobbyError(new JobbyError('JOB_NOT_FOUND', 'from this copy'), 'JOB_NOT_FOUND')).toBe(true);
  });

  it('narrows the code to the ones asked for', () => {
    const value: unknown = new JobbyError('DEPENDENCY_CYCLE', 'a → b → a');
    if (isJobbyError(value, ['DEPENDENCY_MISSING', 'DEPENDENCY_CYCLE'])) expectTypeOf(value.code).toEqualTypeOf<'DEPENDENCY_MISSING' | 'DEPENDENCY_CYCLE'>();
    if (isJobbyError(value)) expectTypeOf(value.code).toEqualTypeOf<string>();
    expectTypeOf(new JobbyError('INTERNAL', 'x').code).toEqualTypeOf<JobbyErrorCode>();
    // @ts-expect-error: the core's codes only
    new JobbyError('SHOP_CLOSED', 'x');
    expectTypeOf(new ShopError('SHOP_CLOSED', 'x').code).toEqualTypeOf<'SHOP_CLOSED' | 'SHOP_EMPTY'>();
  });
});
