import { describe, expect, it } from 'vitest';
import type { ClaimedJob } from '../../store/job-claim.js';
import type { RegisteredWorker } from '../module-loader.js';
import { HeldJobs, type HeldJob, type JobTypeSlots } from './held-jobs.js';

const slots = (): JobTypeSlots => ({ worker: {} as RegisteredWorker, buffer: [], running: 0, nextPollAt: 0, forced: false, lastClaimFull: false });
const heldJob = (id: string, type: JobTypeSlots): HeldJob => ({ job: { id } as ClaimedJob, type, phase: 'buffered' });

describe('the ledger of held jobs', () => {
  it('counts buffered jobs, and lets a job go only once', () => {
    const ledger = new HeldJobs();
    const type = slots();
    const first = heldJob('1', type);
    const second = heldJob('2', type);
    for (const held of [first, second]) {
      ledger.hold(held);
      ledger.buffer(held);
    }
    expect({ size: ledger.size, buffered: ledger.bufferedTotal, inBuffer: type.buffer.length }).toEqual({ size: 2, buffered: 2, inBuffer: 2 });
    ledger.unbuffer(first);
    ledger.unbuffer(first);
    expect({ buffered: ledger.bufferedTotal, inBuffer: type.buffer }).toEqual({ buffered: 1, inBuffer: [second] });
    first.phase = 'running';
    expect(ledger.inPhase('running')).toEqual([first]);
    ledger.release(first);
    expect(ledger.get('1')).toBeUndefined();
    expect(ledger.size).toBe(1);
  });

  it('keeps a later claim of the same job when the earlier holding is released', () => {
    const ledger = new HeldJobs();
    const type = slots();
    const earlier = heldJob('7', type);
    const later = heldJob('7', type);
    ledger.hold(earlier);
    ledger.hold(later);
    expect(ledger.isCurrent(earlier)).toBe(false);
    ledger.release(earlier);
    expect(ledger.get('7')).toBe(later);
  });
});
