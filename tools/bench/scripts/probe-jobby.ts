/**
 * Where jobby's `process` time goes: times every claim and completion call of one run, and what it
 * writes: WAL per job (cluster-wide, from the insert position), WAL per table of the run's schema
 * (pg_waldump over the enqueue's and the processing's LSN ranges: wal-by-table.ts; holds on a busy
 * cluster), and rows inserted, updated (HOT) and deleted per table (pg_stat_user_tables).
 * Usage: npx tsx --conditions=@jobby/source scripts/probe-jobby.ts [jobs] [prefetch]
 */
import { Session } from 'node:inspector/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import type * as Core from '@jobby/core';
// BENCH_JOBBY_CORE: another checkout's packages/core/src/index.ts, for A/B runs (see the README).
const { createJobbyClient, createLogger, createWorker, jobStoreOf, migrate, openDatabase, syncJobTypes }: typeof Core = await import(process.env.BENCH_JOBBY_CORE ?? '@jobby/core');
import pg from 'pg';
import { benchJobs, benchRegistry } from '../src/systems/jobby.js';
import { tableCounts, walByTable, type WalByTable } from './wal-by-table.js';

const jobs = Number(process.argv[2] ?? 20_000);
const prefetch = Number(process.argv[3] ?? 500);
const schema = `probe_${process.pid}`;
const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const database = await openDatabase({ connectionString, schema });
await migrate(database);
// What-if experiments on the schema for the whole run: EXTRA_SQL, with @ for the schema (e.g.
// "alter table @.jobs set (fillfactor = 60)").
if (process.env.EXTRA_SQL) await database.pool.query(process.env.EXTRA_SQL.replaceAll('@', schema));
const client = createJobbyClient({ database, registry: benchRegistry });
await syncJobTypes(jobStoreOf(client), benchRegistry);
let done = 0;
const worker = createWorker({ database, registry: benchRegistry, logger: createLogger({ level: 'silent' }), concurrency: 10, prefetch, dataDirectory: '/tmp/jobby-bench-plugins' });
const timeline: string[] = [];
const stats: Record<string, { calls: number; ms: number; rows: number }> = {};
const store = jobStoreOf(worker.client) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
for (const name of ['jobClaim', 'jobCompleteMany']) {
  const original = store[name]!;
  const entry = (stats[name] = { calls: 0, ms: 0, rows: 0 });
  store[name] = async (...args: unknown[]) => {
    const started = performance.now();
    const result = await original(...args);
    entry.ms += performance.now() - started;
    if (process.env.TIMELINE) timeline.push(`${name === 'jobClaim' ? 'claim   ' : 'complete'} ${started.toFixed(1)} → ${performance.now().toFixed(1)} (${Array.isArray(result) ? result.length : Array.isArray(args[0]) ? args[0].length : 0})`);
    entry.calls++;
    entry.rows += Array.isArray(result) ? result.length : Array.isArray(args[0]) ? args[0].length : 0;
    return result;
  };
}
worker.events.on('job:success', () => done++);
await worker.start();
const walBeforeEnqueue = await walStats();
const enqueueStarted = performance.now();
// One bulk call (one transaction), as the bench's `process` does: nothing runs before it returns.
await client.submitMany(Array.from({ length: jobs }, (_, index) => ({ type: benchJobs.refs.Noop, key: `k${index}`, input: { i: index } })));
// What-if experiments on the schema for the processing phase only (e.g. dropping an index the
// enqueue needed): AFTER_ENQUEUE_SQL, with @ for the schema.
if (process.env.AFTER_ENQUEUE_SQL) await database.pool.query(process.env.AFTER_ENQUEUE_SQL.replaceAll('@', schema));
const session = process.env.PROFILE ? new Session() : undefined;
if (session) { session.connect(); if (process.env.HEAP) { await session.post('HeapProfiler.enable'); await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }); } else { await session.post('Profiler.enable'); await session.post('Profiler.setSamplingInterval', { interval: Number(process.env.INTERVAL ?? 1000) }); await session.post('Profiler.start'); } }
const t0 = performance.now();
if (process.env.TIMELINE) timeline.push(`enqueue returned at ${t0.toFixed(1)}`);
const cpu0 = process.cpuUsage();
const machine0 = machineCpu();
const wal0 = await walStats();
const enqueueWal = Number((await database.pool.query('select pg_wal_lsn_diff($1, $2)::float8 as bytes', [wal0.lsn, walBeforeEnqueue.lsn])).rows[0].bytes);
console.log(`enqueue ${jobs}: ${(t0 - enqueueStarted).toFixed(0)} ms, wal per job ${(enqueueWal / jobs).toFixed(0)} bytes`);
while (done < jobs) await new Promise((resolve) => setTimeout(resolve, 2));
const elapsed = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const machine = machineCpu().map((value, index) => value - machine0[index]!);
const wal1 = await walStats();
if (session) { const { profile } = process.env.HEAP ? await session.post('HeapProfiler.stopSampling') : await session.post('Profiler.stop'); writeFileSync(process.env.PROFILE!, JSON.stringify(profile)); }
console.log(`node cpu during processing: ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms (${(((cpu.user + cpu.system) / jobs)).toFixed(1)} µs/job; user ${(cpu.user / jobs).toFixed(1)}, system ${(cpu.system / jobs).toFixed(1)})`);
// /proc/stat counts in clock ticks (USER_HZ, 100 per second): busy ticks * 10 ms.
const machineBusyMs = machine[0]! * 10;
console.log(`machine cpu busy: ${((machine[0]! / (machine[0]! + machine[1]!)) * 100).toFixed(0)}% of all cores; ${((machineBusyMs * 1000) / jobs).toFixed(1)} µs/job in all, ${(((machineBusyMs * 1000 - (cpu.user + cpu.system)) / jobs)).toFixed(1)} µs/job outside this process (Postgres)`);
console.log(`processed ${jobs} in ${elapsed.toFixed(0)} ms: ${((jobs / elapsed) * 1000).toFixed(0)} jobs/s`);
// The whole cluster's WAL, so run it on a quiet database: bytes per job from the insert position
// (pg_stat_wal's counters lag: backends report them at most once a second, after this run); the
// records by kind: pg_waldump --stats=record over the LSN range (tools/bench/README.md).
const walBytes = Number((await database.pool.query('select pg_wal_lsn_diff($1, $2)::float8 as bytes', [wal1.lsn, wal0.lsn])).rows[0].bytes);
console.log(`wal per job: ${(walBytes / jobs).toFixed(0)} bytes (lsn ${wal0.lsn} → ${wal1.lsn}: pg_waldump --stats=record -s ${wal0.lsn} -e ${wal1.lsn})`);
for (const [name, entry] of Object.entries(stats)) console.log(`${name}: ${entry.calls} calls, ${(entry.ms / entry.calls).toFixed(2)} ms avg, ${(entry.rows / entry.calls).toFixed(0)} rows avg`);
if (process.env.TIMELINE) console.log([...timeline.slice(0, 12), '…', ...timeline.slice(Math.floor(timeline.length / 2), Math.floor(timeline.length / 2) + 12), '…', ...timeline.slice(-12)].join('\n'));
await worker.stop();
await database.close();
// The worker's and client's backends have exited (and flushed their table statistics): read
// what the run wrote per table on a connection of its own, then drop the schema.
const meter = new pg.Pool({ connectionString, max: 1, application_name: 'probe-meter' });
try {
  await new Promise((resolve) => setTimeout(resolve, 500));
  const perJob = (value: number) => (value / jobs).toFixed(3);
  console.log(`rows per job, enqueue and processing (pg_stat_user_tables): inserted / updated (HOT) / deleted`);
  for (const [table, count] of [...(await tableCounts(meter, schema))].sort((a, b) => a[0].localeCompare(b[0]))) {
    if ((count.inserted + count.updated + count.deleted) / jobs < 0.001) continue;
    console.log(`  ${table.padEnd(24)} ${perJob(count.inserted)} / ${perJob(count.updated)} (${perJob(count.hot)}) / ${perJob(count.deleted)}`);
  }
  const printWal = (phase: string, wal: WalByTable | undefined) => {
    if (!wal) return console.log(`wal by table (${phase}): pg_waldump not found (PG_WALDUMP=…)`);
    console.log(`wal by table (${phase}): ${(wal.schemaBytes / jobs).toFixed(0)} bytes per job in the schema ` +
      `(${(wal.commitBytes / jobs).toFixed(0)} of them commit records); ${(wal.otherBytes / jobs).toFixed(0)} per job elsewhere in the cluster (other sessions, checkpoints)`);
    for (const [relation, bytes] of wal.relations) if (bytes / jobs >= 1) console.log(`  ${relation.padEnd(40)} ${(bytes / jobs).toFixed(0)}`);
  };
  printWal('enqueue', await walByTable(meter, schema, walBeforeEnqueue.lsn, wal0.lsn).catch((error) => { console.log(`wal by table: ${(error as Error).message}`); return undefined; }));
  printWal('processing', await walByTable(meter, schema, wal0.lsn, wal1.lsn).catch((error) => { console.log(`wal by table: ${(error as Error).message}`); return undefined; }));
  await meter.query(`drop schema ${schema} cascade`);
} finally {
  await meter.end();
}

async function walStats(): Promise<{ lsn: string }> {
  const { rows } = await database.pool.query('select pg_current_wal_insert_lsn()::text as lsn');
  return rows[0];
}

/** [busy, idle] jiffies of the whole machine, from /proc/stat. */
function machineCpu(): number[] {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3]! + fields[4]!;
  return [fields.reduce((sum, value) => sum + value, 0) - idle, idle];
}
