import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { isMeasuredPerJob, markdownTable, summarize, svgChart, type ResultRow } from './report.js';
import { deleteLeftoverKeys } from './systems/bullmq.js';
import { systemNames, testNames, type SystemName, type TestName } from './system.js';
import type { Measurement } from './workloads.js';

/**
 * `npm run bench`: jobby side by side with graphile-worker, pg-boss and a raw pg floor on one
 * Postgres, and BullMQ on Redis. Rounds are interleaved (round 1 runs every test on every system,
 * then round 2, …) and the order of systems rotates per round, so that a burst of load on this
 * shared machine hits every system rather than one. Each measurement runs in its own process on a
 * fresh schema — except `process-history`, whose history is seeded once per system per run and
 * reused by every round (see runner.ts).
 */

export const usage = `Usage: npm run bench -- [options]

  --rounds N            interleaved rounds (default 3; 1 with --smoke)
  --smoke               tiny sizes (what \`npm test\` runs, in part)
  --systems a,b         of: ${systemNames.join(', ')} (default: all)
  --tests a,b           of: ${testNames.join(', ')} (default: all)
  --history-jobs N      finished jobs seeded for process-history, once per system per run
                        (default 10000000; 2000 with --smoke)
  --database-url URL    Postgres (default: DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test)
  --redis-url URL       Redis, for bullmq (default: REDIS_URL, else redis://127.0.0.1:6379)
  --out DIR             where latest.json, latest.md and latest.svg go (default: results/)
  --jobby-prefetch N    jobby's prefetch (default 500)
  --help                this text
`;

export interface BenchOptions {
  rounds: number;
  smoke: boolean;
  systems: SystemName[];
  tests: TestName[];
  databaseUrl: string;
  redisUrl: string;
  /** Finished jobs seeded for `process-history`. */
  historyJobs: number;
  outDir: string;
  jobbyPrefetch?: number;
  help?: boolean;
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
  const historyJobs = Number(value('--history-jobs') ?? (smoke ? 2_000 : 10_000_000));
  if (!Number.isInteger(historyJobs) || historyJobs < 1) throw new Error('--history-jobs must be a positive integer');
  return {
    rounds,
    smoke,
    systems: list('--systems', systemNames),
    tests: list('--tests', testNames),
    databaseUrl: value('--database-url') ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    redisUrl: value('--redis-url') ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    historyJobs,
    help: argv.includes('--help') || argv.includes('-h'),
    outDir: path.resolve(value('--out') ?? path.join(packageRoot, 'results')),
    jobbyPrefetch: value('--jobby-prefetch') === undefined ? undefined : Number(value('--jobby-prefetch')),
  };
}

interface RunnerOutput {
  variant: string;
  measurement: Measurement | null;
}

interface SeedOutput {
  variant: string;
  /** False: the system keeps no comparable history (process-history is skipped for it). */
  seeded: boolean;
  seedSeconds?: number;
  vacuumSeconds?: number;
}

/** Where a system's `process-history` rounds run: its seeded schema, or why there is none. */
type HistoryState = { schema: string } | { skip: string };

function runOne<T = RunnerOutput>(options: BenchOptions, system: SystemName, test: TestName | 'seed-history', extra: string[] = []): Promise<T> {
  const args = ['--import', 'tsx', '--conditions=@jobby/source', path.join(here, 'runner.ts'), system, test, options.databaseUrl];
  args.push('--redis-url', options.redisUrl, ...extra);
  if (options.smoke) args.push('--smoke');
  if (options.jobbyPrefetch !== undefined) args.push('--jobby-prefetch', String(options.jobbyPrefetch));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    // Seeding 10M jobs takes minutes on 2 busy cores; a measurement, seconds.
    const timer = setTimeout(() => child.kill('SIGKILL'), (test === 'seed-history' ? 60 : 15) * 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop();
      if (code === 0 && line) resolve(JSON.parse(line) as T);
      else reject(new Error(`${system} ${test} exited with ${code}: ${stderr.trim().split('\n').slice(-8).join('\n')}`));
    });
  });
}

async function dropSchemas(databaseUrl: string, schemas: readonly string[]): Promise<void> {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
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

export async function runBench(options: BenchOptions): Promise<{ rows: ResultRow[]; markdown: string; failures: string[]; historySchemas: string[] }> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Smoke runs (inside `npm test`, maybe beside a real run) use another prefix and leave others' schemas alone.
  if (!options.smoke) {
    await dropLeftoverSchemas(options.databaseUrl);
    if (options.systems.includes('bullmq')) await deleteLeftoverKeys(options.redisUrl, 'bench_*');
  }
  const rows: ResultRow[] = [];
  const failures: string[] = [];
  const loads: number[] = [os.loadavg()[0]!];
  const startedAt = new Date();
  const history = new Map<SystemName, HistoryState>();
  const historySchemas = () => [...history.values()].flatMap((state) => ('schema' in state ? [state.schema] : []));
  const seeded: string[] = [];
  /** The seeded schema of a system's process-history, seeding it on its first round. */
  const historyOf = async (system: SystemName): Promise<HistoryState> => {
    const known = history.get(system);
    if (known) return known;
    const schema = `${options.smoke ? 'benchsmoke' : 'bench'}_history_${system.replace(/[^a-z]/g, '')}_${randomBytes(4).toString('hex')}`;
    const started = performance.now();
    let state: HistoryState;
    try {
      const output = await runOne<SeedOutput>(options, system, 'seed-history', ['--schema', schema, '--history-jobs', String(options.historyJobs)]);
      if (output.seeded) {
        state = { schema };
        const seconds = (value: number) => value.toFixed(value < 10 ? 1 : 0);
        const line = `${system} ${options.historyJobs.toLocaleString('en-US')} in ${seconds(output.seedSeconds!)} s + VACUUM ANALYZE ${seconds(output.vacuumSeconds!)} s`;
        seeded.push(line);
        log(`process-history: seeded ${line} (${((performance.now() - started) / 1000).toFixed(1)} s in all)`);
      } else {
        state = { skip: 'keeps no comparable history' };
      }
    } catch (error) {
      failures.push((error as Error).message);
      log(`process-history: seeding ${system} FAILED ${(error as Error).message}`);
      // A seeding killed by its timeout cannot drop its schema itself.
      await dropSchemas(options.databaseUrl, [schema]).catch(() => {});
      state = { skip: 'its seeding failed' };
    }
    history.set(system, state);
    return state;
  };
  try {
    for (let round = 1; round <= options.rounds; round++) {
      const shift = (round - 1) % options.systems.length;
      const order = [...options.systems.slice(shift), ...options.systems.slice(0, shift)];
      for (const test of options.tests) {
        for (const system of order) {
          let extra: string[] = [];
          if (test === 'process-history') {
            const state = await historyOf(system);
            if ('skip' in state) {
              log(`round ${round} ${test} ${system}: skipped, ${state.skip}`);
              continue;
            }
            extra = ['--schema', state.schema, '--existing', '--round', String(round)];
          }
          const started = performance.now();
          try {
            const output = await runOne(options, system, test, extra);
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
  } finally {
    await dropSchemas(options.databaseUrl, historySchemas());
  }
  const summaries = summarize(rows);
  const load = `load average (1 min) during the run ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} on ${os.cpus().length} cores`;
  const markdown = markdownTable(summaries, {
    rounds: options.rounds,
    when: `${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC${options.smoke ? ', smoke sizes' : ''}`,
    load,
    history: seeded.length > 0 ? `process-history: finished jobs seeded once per system and reused by every round: ${seeded.join('; ')}` : undefined,
  });
  await mkdir(options.outDir, { recursive: true });
  await writeFile(path.join(options.outDir, 'latest.json'), `${JSON.stringify(rows, null, 2)}\n`);
  await writeFile(path.join(options.outDir, 'latest.md'), markdown);
  await writeFile(path.join(options.outDir, 'latest.svg'), svgChart(summaries));
  return { rows, markdown, failures, historySchemas: historySchemas() };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = parseArguments(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  const { markdown, failures } = await runBench(options);
  process.stdout.write(markdown);
  if (failures.length > 0) {
    process.stderr.write(`${failures.length} measurement(s) failed\n`);
    process.exitCode = 1;
  }
}
