import { describe, expect, it } from 'vitest';
import { matchInserted } from './job-enqueue.js';

/** Matching the enqueue function's rows back to the batch (the store suite covers it against the databases). */

const job = (typeId: number, key: string) => ({ typeId, key, inputJson: '{}' });

describe('matchInserted', () => {
  const batch = [job(1000, 'a'), job(1000, 'b'), job(1001, 'a'), job(1000, 'c')];

  it('walks rows in batch order, leaving pairs without a row unresolved', () => {
    const results = matchInserted(batch, [
      { id: '7', type_id: 1000, key: 'a' },
      { id: '9', type_id: 1001, key: 'a' },
      { id: '10', type_id: 1000, key: 'c' },
    ]);
    expect(results.map((result) => [result.id, result.created, result.state])).toEqual([
      ['7', true, 'queued'],
      [null, false, null],
      ['9', true, 'queued'],
      ['10', true, 'queued'],
    ]);
  });

  it('matches by (type, key) when the rows come in another order', () => {
    const results = matchInserted(batch, [
      { id: '10', type_id: 1000, key: 'c' },
      { id: '7', type_id: 1000, key: 'a' },
      { id: '8', type_id: 1000, key: 'b' },
    ]);
    expect(results.map((result) => result.id)).toEqual(['7', '8', null, '10']);
    expect(results.map((result) => result.created)).toEqual([true, true, false, true]);
  });

  it('tells a key apart from the same key of another type', () => {
    const results = matchInserted([job(1000, 'a'), job(1001, 'a')], [{ id: '5', type_id: 1001, key: 'a' }]);
    expect(results.map((result) => result.id)).toEqual([null, '5']);
  });
});
