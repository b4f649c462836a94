import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArguments, runBench } from './main.js';
import { systemNames, testNames } from './system.js';

/**
 * The smoke run: jobby and the raw-pg floor on every test, graphile-worker and pg-boss on
 * `process`, tiny sizes, one round. It keeps the harness from rotting (a peer's API change, a
 * broken workload) without the minutes a real run takes (each measurement is its own process).
 */
describe('bench smoke run', () => {
  it('writes latest.json rows, latest.md and latest.svg for every system and test', async () => {
    const outDir = await mkdtemp(path.join(os.tmpdir(), 'jobby-bench-smoke-'));
    try {
      const options = { ...parseArguments(['--smoke', '--out', outDir]), log: () => {} };
      const peers = await runBench({ ...options, outDir: path.join(outDir, 'peers'), systems: ['graphile-worker', 'pg-boss'], tests: ['process'] });
      const { failures } = await runBench({ ...options, systems: ['jobby', 'raw-pg'] });
      expect([...failures, ...peers.failures]).toEqual([]);

      const peerRows = JSON.parse(await readFile(path.join(outDir, 'peers', 'latest.json'), 'utf8')) as Record<string, unknown>[];
      expect(peerRows.map((row) => `${row.system} ${row.test}`).sort()).toEqual([
        'graphile-worker peak-rss',
        'graphile-worker process',
        'graphile-worker process-cpu',
        'graphile-worker process-wal',
        'pg-boss peak-rss',
        'pg-boss process',
        'pg-boss process-cpu',
        'pg-boss process-wal',
      ]);
      const rows = JSON.parse(await readFile(path.join(outDir, 'latest.json'), 'utf8')) as Record<string, unknown>[];
      for (const row of [...rows, ...peerRows]) {
        expect(systemNames).toContain(row.system);
        expect(typeof row.variant).toBe('string');
        expect(row.run).toBe(1);
        if (row.test === 'latency') {
          expect(Object.keys(row).sort()).toEqual(['p50', 'p95', 'p99', 'run', 'system', 'test', 'variant']);
          expect(row.p50 as number).toBeGreaterThan(0);
          expect(row.p99 as number).toBeGreaterThanOrEqual(row.p50 as number);
        } else if (row.test === 'peak-rss') {
          expect(Object.keys(row).sort()).toEqual(['megabytes', 'run', 'system', 'test', 'variant']);
        } else if (String(row.test).endsWith('-cpu')) {
          // Linux (/proc/stat): the whole machine's busy time over the timed window, per job. Its
          // clock ticks 100 times a second, so a smoke-sized window may read 0.
          expect(Object.keys(row).sort()).toEqual(['microseconds', 'run', 'system', 'test', 'variant']);
          expect(Number.isFinite(row.microseconds)).toBe(true);
          expect(row.microseconds as number).toBeGreaterThanOrEqual(0);
        } else if (String(row.test).endsWith('-wal')) {
          expect(Object.keys(row).sort()).toEqual(['bytes', 'run', 'system', 'test', 'variant']);
          expect(Number.isInteger(row.bytes)).toBe(true);
          // An enqueue writes every job's row, so at least a byte per job. A smoke-sized process
          // window may be over before its first reading (the position is read just after the clock
          // starts), so there only the sign is certain.
          if (row.test === 'enqueue-batch-wal') expect(row.bytes as number).toBeGreaterThan(0);
          else expect(row.bytes as number).toBeGreaterThanOrEqual(0);
        } else {
          expect(testNames).toContain(row.test);
          expect(Object.keys(row).sort()).toEqual(['rate', 'run', 'system', 'test', 'variant']);
          expect(row.rate as number).toBeGreaterThan(0);
        }
      }
      for (const system of ['jobby', 'raw-pg']) {
        for (const test of ['enqueue-batch', 'enqueue-single', 'process', 'process-bloated', 'latency', 'peak-rss', 'enqueue-batch-cpu', 'process-cpu', 'process-bloated-cpu', 'enqueue-batch-wal', 'process-wal', 'process-bloated-wal']) {
          expect(rows.some((row) => row.system === system && row.test === test), `${system} ${test}`).toBe(true);
        }
      }
      // raw-pg has no dependencies: its dag is skipped, not faked.
      expect(rows.filter((row) => row.test === 'dag').map((row) => row.system)).toEqual(['jobby']);

      const markdown = await readFile(path.join(outDir, 'latest.md'), 'utf8');
      expect(markdown).toContain('| test | unit | jobby | raw-pg | jobby ÷ raw-pg |');
      expect(markdown).toContain('| process | jobs/s |');
      expect(markdown).toContain('| process-cpu | µs CPU per job (machine) |');
      expect(markdown).toContain('| process-wal | bytes of WAL per job |');
      const svg = await readFile(path.join(outDir, 'latest.svg'), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  }, 90_000);
});
