import { describe, expect, it } from 'vitest';
import { isTransientDatabaseError, retryTransient } from './transient-error.js';

const databaseError = (code: string) => Object.assign(new Error(`error ${code}`), { code });

describe('retryTransient', () => {
  it('runs the task again after deadlocks, serialization failures and lost connections, then returns its result', async () => {
    const errors = [databaseError('40P01'), databaseError('40001'), new Error('Connection terminated unexpectedly')];
    const delays: number[] = [];
    let calls = 0;
    const result = await retryTransient(
      async () => {
        calls++;
        const error = errors.shift();
        if (error) throw error;
        return 'done';
      },
      { baseDelayMs: 4, onRetry: (_error, _attempt, delayMs) => delays.push(delayMs) },
    );
    expect(result).toBe('done');
    expect(calls).toBe(4);
    // Backoff with jitter: each wait between half and all of its doubling step.
    expect(delays).toHaveLength(3);
    delays.forEach((delay, index) => {
      expect(delay).toBeGreaterThanOrEqual(2 * 2 ** index);
      expect(delay).toBeLessThanOrEqual(4 * 2 ** index);
    });
  });

  it('gives up after the allowed attempts with the last error', async () => {
    let calls = 0;
    const failing = retryTransient(
      async () => {
        calls++;
        throw databaseError('40P01');
      },
      { attempts: 3, baseDelayMs: 1 },
    );
    await expect(failing).rejects.toMatchObject({ code: '40P01' });
    expect(calls).toBe(3);
  });

  it('never retries other errors', async () => {
    let calls = 0;
    const failing = retryTransient(async () => {
      calls++;
      throw databaseError('23505');
    });
    await expect(failing).rejects.toMatchObject({ code: '23505' });
    expect(calls).toBe(1);
    expect(isTransientDatabaseError(databaseError('23505'))).toBe(false);
  });
});
