import { describe, expect, it } from 'vitest';
import { isJobbyError } from '../errors.js';
import { cronProblem, parseCron, planSlots, resolveSchedule, slotKey } from './schedule-plan.js';

const at = (iso: string) => new Date(iso);
const isos = (dates: Date[]) => dates.map((date) => date.toISOString());

describe('cron expressions and time zones (croner)', () => {
  it('reads 5 fields, or 6 with seconds, in a time zone across DST', () => {
    const weekly = parseCron('0 7 * * 1', 'Europe/Berlin');
    // 07:00 in Berlin is 06:00 UTC in winter and 05:00 UTC from the last Sunday of March.
    expect(weekly.nextAfter(at('2026-03-20T00:00:00Z'))?.toISOString()).toBe('2026-03-23T06:00:00.000Z');
    expect(weekly.nextAfter(at('2026-03-24T00:00:00Z'))?.toISOString()).toBe('2026-03-30T05:00:00.000Z');
    expect(isos(parseCron('*/20 * * * * *').latestBefore(at('2026-01-01T00:01:00Z'), 2))).toEqual(['2026-01-01T00:00:40.000Z', '2026-01-01T00:00:20.000Z']);
    // 02:30 does not exist in Berlin on 2026-03-29: the slot moves to the first time after the gap.
    expect(parseCron('30 2 * * *', 'Europe/Berlin').nextAfter(at('2026-03-28T12:00:00Z'))?.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    // 02:30 occurs twice on 2026-10-25 (clocks go back): a fixed time fires once, an interval twice.
    expect(parseCron('30 2 * * *', 'Europe/Berlin').nextAfter(at('2026-10-24T12:00:00Z'))?.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(parseCron('30 2 * * *', 'Europe/Berlin').nextAfter(at('2026-10-25T00:30:00Z'))?.toISOString()).toBe('2026-10-26T01:30:00.000Z');
    const halfHours = parseCron('*/30 * * * *', 'Europe/Berlin');
    expect(isos(halfHours.latestBefore(at('2026-10-25T01:45:00Z'), 4).reverse())).toEqual([
      '2026-10-25T00:00:00.000Z', // 02:00 CEST
      '2026-10-25T00:30:00.000Z', // 02:30 CEST
      '2026-10-25T01:00:00.000Z', // 02:00 CET
      '2026-10-25T01:30:00.000Z', // 02:30 CET
    ]);
  });

  it('says what is wrong with a bad expression or time zone', () => {
    expect(cronProblem('0 7 * * 1', 'Europe/Berlin')).toBeUndefined();
    expect(cronProblem('61 * * * *', 'UTC')).toMatch(/^cron "61 \* \* \* \*" is invalid: .*minute/);
    expect(cronProblem('* * * * * * *', 'UTC')).toMatch(/5 fields, or 6/);
    expect(cronProblem('* * * * *', 'Mars/Olympus')).toBe('time zone "Mars/Olympus" is not an IANA time zone (such as "UTC" or "Europe/Berlin")');
    let caught: unknown;
    try {
      resolveSchedule({ cron: 'every monday', input: {} }, 'demo.Produce');
    } catch (error) {
      caught = error;
    }
    expect(isJobbyError(caught, 'CONFIGURATION_INVALID')).toBe(true);
    expect((caught as Error).message).toMatch(/^schedule "default" of demo\.Produce: cron "every monday" is invalid/);
    expect(() => resolveSchedule({ cron: '* * * * *', input: {}, catchUp: { upTo: 0 } }, 'demo.Produce')).toThrow(/catchUp must be 'none', 'last' or \{ upTo: N \}/);
    expect(() => resolveSchedule({ cron: '* * * * *', input: {}, name: 'a b' }, 'demo.Produce')).toThrow(/name "a b" must be/);
  });

  it('keys a slot by the schedule name and the instant', () => {
    expect(slotKey('default', at('2026-12-07T06:00:00Z'))).toBe('default@2026-12-07T06:00:00.000Z');
  });
});

describe('planSlots', () => {
  const everySecond = parseCron('* * * * * *');
  const now = at('2026-01-01T00:01:00.400Z');
  const horizon = at('2026-01-01T00:01:03.400Z');

  it('starts a new schedule at now, with nothing to catch up', () => {
    const plan = planSlots({ timing: everySecond, catchUp: 'last', decidedUntil: null, now, horizon });
    expect(isos(plan.slots)).toEqual(['2026-01-01T00:01:01.000Z', '2026-01-01T00:01:02.000Z', '2026-01-01T00:01:03.000Z']);
    expect(plan.decidedUntil).toEqual(horizon);
    expect(plan.skipped).toBe(false);
  });

  it('continues after the cursor without missing or repeating a slot', () => {
    const plan = planSlots({ timing: everySecond, catchUp: 'none', decidedUntil: at('2026-01-01T00:01:02.000Z'), now, horizon });
    expect(isos(plan.slots)).toEqual(['2026-01-01T00:01:03.000Z']);
  });

  it('applies the catch-up policy to the slots missed before now', () => {
    const decidedUntil = at('2026-01-01T00:00:55.000Z'); // 00:56 … 01:00 missed (5 slots)
    const upcoming = ['2026-01-01T00:01:01.000Z', '2026-01-01T00:01:02.000Z', '2026-01-01T00:01:03.000Z'];
    const none = planSlots({ timing: everySecond, catchUp: 'none', decidedUntil, now, horizon });
    expect(isos(none.slots)).toEqual(upcoming);
    expect(none.skipped).toBe(true);
    const last = planSlots({ timing: everySecond, catchUp: 'last', decidedUntil, now, horizon });
    expect(isos(last.slots)).toEqual(['2026-01-01T00:01:00.000Z', ...upcoming]);
    const three = planSlots({ timing: everySecond, catchUp: { upTo: 3 }, decidedUntil, now, horizon });
    expect(isos(three.slots)).toEqual(['2026-01-01T00:00:58.000Z', '2026-01-01T00:00:59.000Z', '2026-01-01T00:01:00.000Z', ...upcoming]);
    expect(three.skipped).toBe(true);
    const all = planSlots({ timing: everySecond, catchUp: { upTo: 10 }, decidedUntil, now, horizon });
    expect(all.slots).toHaveLength(8);
    expect(all.skipped).toBe(false);
  });

  it('finds the missed slot of a rare schedule without walking every second of the downtime', () => {
    const yearly = parseCron('0 0 1 1 *');
    const plan = planSlots({ timing: yearly, catchUp: 'last', decidedUntil: at('2020-06-01T00:00:00Z'), now: at('2026-06-01T00:00:00Z'), horizon: at('2026-06-01T00:00:10Z') });
    expect(isos(plan.slots)).toEqual(['2026-01-01T00:00:00.000Z']);
    expect(plan.skipped).toBe(true);
  });
});
