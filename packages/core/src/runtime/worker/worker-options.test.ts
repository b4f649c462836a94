import { describe, expect, it } from 'vitest';
import { describeWorkerOption, resolveWorkerOptions, workerOptionSpecs } from './worker-options.js';

describe('the worker options table', () => {
  it('applies the declared defaults, and keeps what is set', () => {
    const resolved = resolveWorkerOptions({ concurrency: 3 });
    expect(resolved).toMatchObject({ concurrency: 3, prefetch: 0, leaseSeconds: 30, shutdownGraceMs: 10_000, workersMode: 'production', jobsMode: 'production', pollIntervalMs: 2_000 });
    expect(resolved.plugins).toBeUndefined();
  });

  it('refuses a bad value with CONFIGURATION_INVALID, naming the option and what it must be', () => {
    expect(() => resolveWorkerOptions({ concurrency: 0 })).toThrow('concurrency must be an integer ≥ 1, got 0');
    expect(() => resolveWorkerOptions({ prefetch: -1 })).toThrow('prefetch must be an integer ≥ 0, got -1');
    expect(() => resolveWorkerOptions({ leaseSeconds: 1 })).toThrow('leaseSeconds must be an integer ≥ 2, got 1');
    expect(() => resolveWorkerOptions({ jobsMode: 'sometimes' as never })).toThrow('jobsMode must be none, local or production, got "sometimes"');
    expect(() => resolveWorkerOptions({ concurrency: 1.5 })).toThrowError(expect.objectContaining({ code: 'CONFIGURATION_INVALID', details: { option: 'concurrency' } }));
  });

  it('gives every command-line option a help text that states its default', () => {
    for (const spec of Object.values(workerOptionSpecs)) {
      if (!('flag' in spec) || !('default' in spec || 'defaultDescription' in spec)) continue;
      expect(describeWorkerOption(spec)).toMatch(/\(default [^)]+\)$/);
    }
    expect(describeWorkerOption(workerOptionSpecs.concurrency)).toBe('handlers running at once (default 10)');
  });
});
