import { describe, expect, it } from 'vitest';
import { niceCeiling } from './throughput-chart.js';

describe('niceCeiling', () => {
  it('tops the axis close above the largest bar, so that bars fill the chart', () => {
    expect(niceCeiling(1)).toBe(2);
    expect(niceCeiling(7)).toBe(8);
    expect(niceCeiling(11)).toBe(12);
    expect(niceCeiling(21)).toBe(25);
    expect(niceCeiling(101)).toBe(120);
    expect(niceCeiling(640)).toBe(800);
    for (const value of [3, 11, 21, 57, 101, 333, 999, 12_345]) expect(value / niceCeiling(value)).toBeGreaterThan(0.6);
  });
});
