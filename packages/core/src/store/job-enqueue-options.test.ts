import { describe, expect, it } from 'vitest';
import { assertEnqueueOptions, assertRunAt, maxRetentionSeconds } from './job-enqueue-options.js';

/** Per-job options: a clear INVALID_ARGUMENT naming the option and the range, never a raw database error. */
describe('enqueue options', () => {
  const refusal = (options: Record<string, unknown>) => {
    try {
      assertEnqueueOptions(options, 'demo.Produce:k');
    } catch (error) {
      return error as { code: string; message: string };
    }
    return undefined;
  };

  it.each([
    ['runAt in year 10000', { runAt: new Date('+010000-01-01T00:00:00Z') }, 'demo.Produce:k: runAt must be within years 1–9999 (UTC), got +010000-01-01T00:00:00.000Z'],
    ['runAt before year 1', { runAt: new Date('-000001-06-01T00:00:00Z') }, 'runAt must be within years 1–9999 (UTC), got -000001-06-01T00:00:00.000Z'],
    ['runAt as a string', { runAt: '2026-01-01T00:00:00Z' }, 'runAt must be a Date, got string "2026-01-01T00:00:00Z": pass new Date("2026-01-01T00:00:00Z")'],
    ['runAt as a number', { runAt: 1_767_225_600_000 }, 'runAt must be a Date, got number 1767225600000: pass new Date(1767225600000)'],
    ['runAt as null', { runAt: null }, 'runAt must be a Date, got null'],
    ['an invalid Date', { runAt: new Date('nope') }, 'runAt is an invalid Date'],
    ['retentionSeconds −1', { retentionSeconds: -1 }, 'retentionSeconds must be an integer 0–2,147,483,647 (about 68 years), got -1'],
    ['retentionSeconds 1.5', { retentionSeconds: 1.5 }, 'got 1.5'],
    ['retentionSeconds past the column', { retentionSeconds: maxRetentionSeconds + 1 }, 'got 2147483648'],
    ['retentionSeconds as a string', { retentionSeconds: '60' }, 'retentionSeconds must be an integer 0–2,147,483,647 (about 68 years), got "60"'],
    ['maxAttempts 0', { maxAttempts: 0 }, 'maxAttempts must be an integer 1–1,000, got 0'],
    ['priority 1.5', { priority: 1.5 }, 'priority must be an integer from -1,000,000 to 1,000,000, got 1.5'],
  ])('refuses %s', (_name, options, message) => {
    const error = refusal(options);
    expect(error?.code).toBe('INVALID_ARGUMENT');
    expect(error?.message).toContain(message);
  });

  it('accepts the edges of every range', () => {
    expect(
      refusal({
        runAt: new Date('0001-01-01T00:00:00.000Z'),
        retentionSeconds: 0,
        maxAttempts: 1,
        priority: -1_000_000,
      }),
    ).toBeUndefined();
    expect(refusal({ runAt: new Date('9999-12-31T23:59:59.999Z'), retentionSeconds: maxRetentionSeconds, maxAttempts: 1_000, priority: 1_000_000 })).toBeUndefined();
    expect(refusal({})).toBeUndefined();
    expect(() => assertRunAt(new Date(), 'runAgainAt')).not.toThrow();
  });
});
