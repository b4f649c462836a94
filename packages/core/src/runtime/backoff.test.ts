import { describe, expect, it } from 'vitest';
import { backoffDelay, databaseOutageBackoff } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles from the base for each failure, up to the maximum (no jitter)', () => {
    const options = { baseMs: 100, maxMs: 1_000, jitter: 0 };
    expect([1, 2, 3, 4, 5, 6].map((failures) => backoffDelay(failures, options))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('draws each wait between (1 − jitter) and all of its step', () => {
    const options = { baseMs: 100, maxMs: 10_000, jitter: 0.5 };
    expect(backoffDelay(3, options, () => 0)).toBe(400);
    expect(backoffDelay(3, options, () => 0.5)).toBe(300);
    expect(backoffDelay(3, options, () => 0.999_999)).toBe(200);
    for (let index = 0; index < 200; index++) {
      const delay = backoffDelay(4, options);
      expect(delay).toBeGreaterThanOrEqual(400);
      expect(delay).toBeLessThanOrEqual(800);
    }
  });

  it('jitters by half by default', () => {
    expect(backoffDelay(1, { baseMs: 1_000, maxMs: 1_000 }, () => 0.999_999)).toBe(500);
    expect(backoffDelay(1, { baseMs: 1_000, maxMs: 1_000 }, () => 0)).toBe(1_000);
  });

  it('stays finite and capped after any number of failures, and treats 0 or less as the first', () => {
    expect(backoffDelay(5_000, { baseMs: 50, maxMs: 2_000, jitter: 0 })).toBe(2_000);
    expect(backoffDelay(Number.MAX_SAFE_INTEGER, databaseOutageBackoff, () => 0)).toBe(5_000);
    expect(backoffDelay(0, { baseMs: 50, maxMs: 2_000, jitter: 0 })).toBe(50);
    expect(backoffDelay(-3, { baseMs: 50, maxMs: 2_000, jitter: 0 })).toBe(50);
  });

  it('clamps the jitter to [0, 1]', () => {
    expect(backoffDelay(2, { baseMs: 100, maxMs: 1_000, jitter: 2 }, () => 0.5)).toBe(100);
    expect(backoffDelay(2, { baseMs: 100, maxMs: 1_000, jitter: -1 }, () => 0.5)).toBe(200);
  });
});
