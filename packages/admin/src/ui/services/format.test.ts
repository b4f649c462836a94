import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDuration, formatRelative } from './format.js';

describe('format', () => {
  it('durations', () => {
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(0.5)).toBe('< 1 ms');
    expect(formatDuration(12.4)).toBe('12 ms');
    expect(formatDuration(1_234)).toBe('1.23 s');
    expect(formatDuration(42_000)).toBe('42.0 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(3 * 3_600_000 + 60_000)).toBe('3 h 1 min');
    expect(formatDuration(2 * 86_400_000)).toBe('2 d 0 h');
  });
  it('bytes and counts', () => {
    expect(formatBytes(14)).toBe('14 B');
    expect(formatBytes(2048)).toBe('2.0 KiB');
    expect(formatBytes(100_000)).toBe('98 KiB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
    expect(formatCount(1234567)).toBe('1,234,567');
  });
  it('relative times', () => {
    const now = new Date('2026-01-01T12:00:00Z');
    expect(formatRelative('2026-01-01T11:59:30Z', now)).toBe('30 s ago');
    expect(formatRelative('2026-01-01T10:00:00Z', now)).toBe('2 h ago');
    expect(formatRelative('2026-01-01T12:05:00Z', now)).toBe('in 5 min');
  });
});
