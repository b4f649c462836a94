import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { isMeasuredPerJob, markdownTable, summarize, svgChart, type ResultRow } from './report.js';
import { systemNames, testNames, type SystemName, type TestName } from './system.js';
import type { Measurement } from './workloads.js';

/**
 * `npm run bench`: jobby side by side with graphile-worker, pg-boss and a raw pg floor on one
 * Postgres. Rounds are interleaved (round 1 runs every test on every system, then round 2, …) and
 * the order of systems rotates per round, so that a burst of load on this shared machine hits
 * every system rather than one. Each measurement runs in its own process on a fresh schema.
 *
 *   npm run bench -- [--rounds N] [--smoke] [--systems a,b] [--tests a,b] [--database-url URL]
 *                    [--out DIR] [--jobby-prefetch N]
 */

export interface BenchOptions {
  rounds: number;
  smoke: boolean;
  systems: SystemName[];
  tests: TestName[];
  databaseUrl: string;
  outDir: string;
  jobbyPrefetch?: number;
  log?: (line: string) => void;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const packageRoot = path.resolve(here, '..');

export function parseArguments(argv: readonly string[]): BenchOptions {
  const value = (flag: string) => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const list = <T extends string>(flag: string, allowed: readonly T[]): T[] => {
    const raw = value(flag);
    if (!raw) return [...allowed];
    const items = raw.split(',').map((item) => item.trim()) as T[];
    for (const item of items) if (!allowed.includes(item)) throw new Error(`${flag}: unknown "${item}" (known: ${allowed.join(', ')})`);
    return items;
  };
  const smoke = argv.includes('--smoke');
  const rounds = Number(value('--rounds') ?? (smoke ? 1 : 3));
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer');
  return {
    rounds,
    smoke,
    systems: list('--systems', systemNames),
    tests: list('--tests', testNames),
    databaseUrl: value('--database-url') ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    outDir: path.resolve(value('--out') ?? path.join(packageRoot, 'results')),
    jobbyPrefetch: value('--jobby-prefetch') === undefined ? undefined : Number(value('--jobby-prefetch')),
  };
}

interface RunnerOutput {
  variant: string;
  measurement: Measurement | null;
}

function runOne(options: BenchOptions, system: SystemName, test: TestName): Promise<RunnerOutput> {
  const args = ['--import', 'tsx', '--conditions=@jobby/source', path.join(here, 'runner.ts'), system, test, options.databaseUrl];
  if (options.smoke) args.push('--smoke');
  if (options.jobbyPrefetch !== undefined) args.push('--jobby-prefetch', String(options.jobbyPrefetch));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop();
      if (code === 0 && line) resolve(JSON.parse(line) as RunnerOutput);
      else reject(new Error(`${system} ${test} exited with ${code}: ${stderr.trim().split('\n').slice(-8).join('\n')}`));
    });
  });
}

/** Schemas a killed run left behind (runs drop their own schema; a SIGKILL cannot). */
async function dropLeftoverSchemas(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(`select nspname as name from pg_namespace where nspname like 'bench\\_%'`);
    for (const { name } of rows) await client.query(`drop schema if exists "${name}" cascade`);
  } finally {
    await client.end();
  }
}

export async function runBench(options: BenchOptions): Promise<{ rows: ResultRow[]; markdown: string; failures: string[] }> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Smoke runs (inside `npm test`, maybe beside a real run) use another prefix and leave others' schemas alone.
  if (!options.smoke) await dropLeftoverSchemas(options.databaseUrl);
  const rows: ResultRow[] = [];
  const failures: string[] = [];
  const loads: number[] = [os.loadavg()[0]!];
  const startedAt = new Date();
  for (let round = 1; round <= options.rounds; round++) {
    const shift = (round - 1) % options.systems.length;
    const order = [...options.systems.slice(shift), ...options.systems.slice(0, shift)];
    for (const test of options.tests) {
      for (const system of order) {
        const started = performance.now();
        try {
          const output = await runOne(options, system, test);
          const measurement = output.measurement;
          if (!measurement) {
            log(`round ${round} ${test} ${system}: not expressible, skipped`);
            continue;
          }
          if (measurement.kind === 'rate') {
            rows.push({ system, test, variant: output.variant, run: round, rate: Math.round(measurement.rate * 10) / 10 });
            if (test === 'process' && measurement.peakRssMb !== undefined) {
              rows.push({ system, test: 'peak-rss', variant: output.variant, run: round, megabytes: Math.round(measurement.peakRssMb * 10) / 10 });
            }
            if (measurement.cpuMicrosecondsPerJob !== undefined && isMeasuredPerJob(test)) {
              rows.push({ system, test: `${test}-cpu`, variant: output.variant, run: round, microseconds: measurement.cpuMicrosecondsPerJob });
            }
            if (measurement.walBytesPerJob !== undefined && isMeasuredPerJob(test)) {
              rows.push({ system, test: `${test}-wal`, variant: output.variant, run: round, bytes: measurement.walBytesPerJob });
            }
          } else {
            rows.push({ system, test, variant: output.variant, run: round, p50: measurement.p50, p95: measurement.p95, p99: measurement.p99 });
          }
          const summary = measurement.kind === 'rate' ? `${Math.round(measurement.rate)} jobs/s` : `p50 ${measurement.p50} p95 ${measurement.p95} p99 ${measurement.p99} ms`;
          log(`round ${round} ${test} ${system}: ${summary} (${((performance.now() - started) / 1000).toFixed(1)} s, load ${os.loadavg()[0]!.toFixed(2)})`);
        } catch (error) {
          failures.push((error as Error).message);
          log(`round ${round} ${test} ${system}: FAILED ${(error as Error).message}`);
        }
        loads.push(os.loadavg()[0]!);
      }
    }
  }
  const summaries = summarize(rows);
  const load = `load average (1 min) during the run ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} on ${os.cpus().length} cores`;
  const markdown = markdownTable(summaries, { rounds: options.rounds, when: `${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC${options.smoke ? ', smoke sizes' : ''}`, load });
  await mkdir(options.outDir, { recursive: true });
  await writeFile(path.join(options.outDir, 'latest.json'), `${JSON.stringify(rows, null, 2)}\n`);
  await writeFile(path.join(options.outDir, 'latest.md'), markdown);
  await writeFile(path.join(options.outDir, 'latest.svg'), svgChart(summaries));
  return { rows, markdown, failures };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = parseArguments(process.argv.slice(2));
  const { markdown, failures } = await runBench(options);
  process.stdout.write(markdown);
  if (failures.length > 0) {
    process.stderr.write(`${failures.length} measurement(s) failed\n`);
    process.exitCode = 1;
  }
}
