import { describe, expect, it } from 'vitest';
import { JobbyError } from '../errors.js';
import { isNonRetryable, NonRetryableError, nonRetryable } from './non-retryable-error.js';

describe('non-retryable errors', () => {
  it('marks the class, its subclasses and errors marked with nonRetryable(), and nothing else', () => {
    class InvalidInvoiceError extends NonRetryableError {}
    const subclassed = new InvalidInvoiceError('invoice 7 has no lines', { code: 'INVOICE_EMPTY' });
    expect(isNonRetryable(subclassed)).toBe(true);
    expect(subclassed).toMatchObject({ name: 'InvalidInvoiceError', code: 'INVOICE_EMPTY', message: 'invoice 7 has no lines' });
    expect(subclassed).toBeInstanceOf(Error);
    expect(isNonRetryable(new NonRetryableError('x'))).toBe(true);
    expect(new NonRetryableError('x').code).toBeUndefined();
    const marked = nonRetryable(new JobbyError('DEPENDENCY_MISSING', 'no dependency'));
    expect(isNonRetryable(marked)).toBe(true);
    expect(JobbyError.isInstance(marked)).toBe(true);
    expect(Object.keys(marked)).not.toContain('retryable');
    for (const other of [new Error('x'), new JobbyError('JOB_FAILED', 'x'), Object.assign(new Error('x'), { retryable: false }), null, 'text', undefined]) {
      expect(isNonRetryable(other)).toBe(false);
    }
  });

  it('is recognised across two copies of the core (the mark is a registered symbol)', () => {
    const foreign = Object.defineProperty(new Error('from another copy'), Symbol.for('jobby.non-retryable'), { value: true });
    expect(NonRetryableError.isInstance(foreign)).toBe(true);
  });
});
