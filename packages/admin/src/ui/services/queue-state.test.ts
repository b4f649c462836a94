import { describe, expect, it } from 'vitest';
import { stateLabel } from './queue-state.js';

describe('stateLabel', () => {
  const now = new Date('2026-12-02T12:00:00Z');
  const at = (milliseconds: number) => new Date(now.getTime() + milliseconds).toISOString();

  it('tells scheduled, retrying and due queued jobs apart', () => {
    expect(stateLabel({ state: 'queued', attempts: 0, runAt: at(3 * 3_600_000) }, now)).toEqual({ kind: 'scheduled', text: 'scheduled · in 3 h' });
    expect(stateLabel({ state: 'queued', attempts: 2, runAt: at(3 * 60_000) }, now)).toEqual({ kind: 'retrying', text: 'retrying · next in 3 min' });
    expect(stateLabel({ state: 'queued', attempts: 1, runAt: at(-5_000) }, now)).toEqual({ kind: 'retrying', text: 'retrying · due' });
    expect(stateLabel({ state: 'queued', attempts: 0, runAt: at(-5_000) }, now)).toEqual({ kind: 'queued', text: 'queued' });
  });

  it('leaves other states as they are', () => {
    expect(stateLabel({ state: 'failed', attempts: 3, runAt: at(60_000) }, now)).toEqual({ kind: 'failed', text: 'failed' });
    expect(stateLabel({ state: 'waiting', attempts: 0, runAt: at(60_000) }, now)).toEqual({ kind: 'waiting', text: 'waiting' });
  });
});
