import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseArguments, runBench } from './main.js';
import { systemNames, testNames } from './system.js';

/**
 * The smoke run: jobby and the raw-pg floor on every test (`scheduled`: 20 jobs over 1 s); graphile-worker, pg-boss and BullMQ
 * (on Redis) on `process` and `process-history`, which only pg-boss of the three can express;
 * tiny sizes, one round. It keeps the harness from rotting (a peer's API change, Redis down, a
 * broken workload or seeding) without the minutes a real run takes (each measurement is its own
 * process).
 */
describe('bench smoke run', () => {
  it('writes latest.json rows, latest.md and latest.svg for every system and test', async () => {
    const outDir = await mkdtemp(path.join(os.tmpdir(), 'jobby-bench-smoke-'));
    try {
      const options = { ...parseArguments(['--smoke', '--out', outDir]), log: () => {} };
      const peers = await runBench({
        ...options,
        outDir: path.join(outDir, 'peers'),
        systems: ['graphile-worker', 'pg-boss', 'bullmq'],
        tests: ['process', 'process-history'],
      });
      const own = await runBench({ ...options, systems: ['jobby', 'raw-pg'] });
      expect([...own.failures, ...peers.failures]).toEqual([]);

      const peerRows = JSON.parse(await readFile(path.join(outDir, 'peers', 'latest.json'), 'utf8')) as Record<string, unknown>[];
      // BullMQ keeps its jobs in Redis: no WAL row. graphile-worker and BullMQ have no process-history.
      expect(peerRows.map((row) => `${row.system} ${row.test}`).sort()).toEqual([
        'bullmq peak-rss',
        'bullmq process',
        'bullmq process-cpu',
        'graphile-worker peak-rss',
        'graphile-worker process',
        'graphile-worker process-cpu',
        'graphile-worker process-wal',
        'pg-boss peak-rss',
        'pg-boss process',
        'pg-boss process-cpu',
        'pg-boss process-history',
        'pg-boss process-history-cpu',
        'pg-boss process-history-wal',
        'pg-boss process-wal',
      ]);
      // The seeded history outlives each round's process, but not the run.
      expect(peers.historySchemas).toHaveLength(1);
      expect(own.historySchemas).toHaveLength(2);
      const client = new pg.Client({ connectionString: options.databaseUrl });
      await client.connect();
      try {
        const { rows: left } = await client.query('select nspname from pg_namespace where nspname = any($1)', [[...peers.historySchemas, ...own.historySchemas]]);
        expect(left).toEqual([]);
      } finally {
        await client.end();
      }
      const rows = JSON.parse(await readFile(path.join(outDir, 'latest.json'), 'utf8')) as Record<string, unknown>[];
      for (const row of [...rows, ...peerRows]) {
        expect(systemNames).toContain(row.system);
        expect(typeof row.variant).toBe('string');
        expect(row.run).toBe(1);
        if (row.test === 'latency' || row.test === 'scheduled') {
          expect(Object.keys(row).sort()).toEqual(['p50', 'p95', 'p99', 'run', 'system', 'test', 'variant']);
          // A scheduled job's lateness is its start minus its run-at: never much below zero.
          expect(row.p50 as number).toBeGreaterThan(row.test === 'latency' ? 0 : -20);
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
        for (const test of [
          'enqueue-batch',
          'enqueue-single',
          'process',
          'process-bloated',
          'process-history',
          'latency',
          'peak-rss',
          'enqueue-batch-cpu',
          'process-cpu',
          'process-bloated-cpu',
          'process-history-cpu',
          'enqueue-batch-wal',
          'process-wal',
          'process-bloated-wal',
          'process-history-wal',
        ]) {
          expect(rows.some((row) => row.system === system && row.test === test), `${system} ${test}`).toBe(true);
        }
      }
      // raw-pg has no dependencies and no run-at: its dag and scheduled are skipped, not faked.
      expect(rows.filter((row) => row.test === 'dag').map((row) => row.system)).toEqual(['jobby']);
      expect(rows.filter((row) => row.test === 'scheduled').map((row) => row.system)).toEqual(['jobby']);

      const markdown = await readFile(path.join(outDir, 'latest.md'), 'utf8');
      expect(markdown).toContain('| test | unit | jobby | raw-pg | jobby ÷ raw-pg |');
      expect(markdown).toContain('| process | jobs/s |');
      expect(markdown).toContain('| process-cpu | µs CPU per job (machine) |');
      expect(markdown).toContain('| process-wal | bytes of WAL per job |');
      expect(markdown).toContain('| process-history | jobs/s |');
      expect(markdown).toContain('| scheduled | ms |');
      expect(markdown).toMatch(/process-history ÷ process \(1\.00× = history costs nothing\): jobby \d+\.\d\d×, raw-pg \d+\.\d\d×\./);
      expect(markdown).toContain('seeded once per system and reused by every round: jobby 2,000 in');
      const peerMarkdown = await readFile(path.join(outDir, 'peers', 'latest.md'), 'utf8');
      expect(peerMarkdown).toContain('| test | unit | graphile-worker | pg-boss | bullmq |');
      const svg = await readFile(path.join(outDir, 'latest.svg'), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  }, 420_000);
});
