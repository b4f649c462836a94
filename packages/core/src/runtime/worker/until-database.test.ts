import { describe, expect, it } from 'vitest';
import { untilDatabase } from './until-database.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('untilDatabase', () => {
  it('waits out transient errors, reporting each, then returns the result', async () => {
    const reported: string[] = [];
    let calls = 0;
    const result = await untilDatabase(
      async () => {
        calls++;
        if (calls < 3) throw refused();
        return 'registered';
      },
      { during: 'registering the worker', reportError: (_error, during) => reported.push(during), isStopped: () => false },
    );
    expect(result).toBe('registered');
    expect(reported).toEqual(['registering the worker', 'registering the worker']);
  });

  it('throws any other error at once, and a transient one once the worker has stopped', async () => {
    const params = { during: 'x', reportError: () => {}, isStopped: () => false };
    await expect(untilDatabase(() => Promise.reject(new Error('syntax error')), params)).rejects.toThrow('syntax error');
    await expect(untilDatabase(() => Promise.reject(refused()), { ...params, isStopped: () => true })).rejects.toThrow('ECONNREFUSED');
  });
});
