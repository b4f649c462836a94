/**
 * Admin API latency with 10,000,000 finished jobs: loads synthetic jobs (perf-data.ts) into a
 * scratch schema of real Postgres, starts the admin server on it, and measures p50/p95 of every
 * read endpoint over HTTP, warm (after a few untimed requests). Not a unit test: run it by hand and
 * copy the table into PERFORMANCE.md.
 *
 *   npm run perf -w @jobby/admin                       # 10,000,000 jobs, schema admin_perf, dropped after
 *   npm run perf -w @jobby/admin -- --jobs 1000000 --keep --reuse
 *
 * Postgres: JOBBY_TEST_DATABASE_URL, DATABASE_URL or postgres://postgres@127.0.0.1:5432/test.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createLogger, migrate, openDatabase } from '@jobby/core';
import { demoRegistry, testPostgresUrl } from '@jobby/core/testing';
import { startAdminServer } from '../src/index.js';
import { loadPerfData } from './perf-data.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000000' },
    schema: { type: 'string', default: 'admin_perf' },
    rounds: { type: 'string', default: '60' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const jobCount = Number(values.jobs);
const rounds = Number(values.rounds);
const schema = values.schema;
const database = await openDatabase({ connectionString: testPostgresUrl(), schema, poolSize: 10, applicationName: 'jobby-admin-perf' });
const run = async <Row>(text: string, parameters: unknown[] = []): Promise<Row[]> => (await database.pool.query(text, parameters)).rows as Row[];
const exists = await run<{ count: string }>(`select count(*) from pg_tables where schemaname = $1 and tablename = 'jobs'`, [schema]);
let ids: { dagRootId: string; sampleJobId: string };
if (values.reuse && exists[0]!.count !== '0') {
  console.log(`reusing schema ${schema}`);
  const root = await run<{ id: string }>(`select id from "${schema}".jobs where key = 'dag-root' and type_id = 7000`);
  const failed = await run<{ id: string }>(`select job_id as id from "${schema}".job_outcomes where type_id = 7002 and final and outcome = 'failed' order by job_id desc limit 1`);
  ids = { dagRootId: String(root[0]!.id), sampleJobId: String(failed[0]!.id) };
} else {
  await run(`drop schema if exists "${schema}" cascade`);
  await migrate(database);
  const started = Date.now();
  console.log(`loading ${jobCount.toLocaleString('en')} jobs into ${schema}…`);
  ids = await loadPerfData(database, jobCount, console.log);
  console.log(`loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
const [stats] = await run<Record<string, string>>(
  `select (select count(*) from "${schema}".jobs) as jobs, (select count(*) from "${schema}".job_outcomes) as outcomes,
          (select count(*) from "${schema}".job_queue) as queue, (select count(*) from "${schema}".job_running) as running,
          (select count(*) from "${schema}".job_dependencies) as dependencies, (select count(*) from "${schema}".job_stats) as stats_rows,
          pg_size_pretty((select sum(pg_total_relation_size(c.oid)) from pg_class c join pg_namespace n on n.oid = c.relnamespace
                          where n.nspname = $1 and c.relkind = 'r')) as size`,
  [schema],
);
console.log(stats, `load average ${os.loadavg().map((load) => load.toFixed(2)).join(' ')}`);

const admin = await startAdminServer({ database, registry: demoRegistry, logger: createLogger({ level: 'warn' }) });
async function get(path: string): Promise<unknown> {
  const response = await fetch(`${admin.url}${path}`);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}
const firstPage = (await get('/api/jobs?limit=50')) as { nextCursor: string };
const failedPage = (await get('/api/jobs?state=failed&type=demo.Flaky&limit=50')) as { nextCursor: string };
const finishedPage = (await get('/api/jobs?sort=-finished&limit=50')) as { nextCursor: string };

const endpoints: { name: string; path: () => string }[] = [
  { name: 'list, first page (newest 50)', path: () => '/api/jobs?limit=50' },
  { name: 'list, next page (keyset)', path: () => `/api/jobs?limit=50&cursor=${firstPage.nextCursor}` },
  { name: 'list, state=failed & type', path: () => '/api/jobs?state=failed&type=demo.Flaky&limit=50' },
  { name: 'list, state=failed & type, next page', path: () => `/api/jobs?state=failed&type=demo.Flaky&limit=50&cursor=${failedPage.nextCursor}` },
  { name: 'list, state=succeeded & type (rarer)', path: () => '/api/jobs?state=succeeded&type=demo.Slow&limit=50' },
  { name: 'list, state=cancelled', path: () => '/api/jobs?state=cancelled&limit=50' },
  { name: 'list, state=running (rare)', path: () => '/api/jobs?state=running&limit=50' },
  { name: 'list, plugin + states queued,waiting', path: () => '/api/jobs?plugin=demo&state=queued,waiting&limit=50' },
  { name: 'list, all states of a type (merged)', path: () => '/api/jobs?state=queued,waiting,running,succeeded,failed,cancelled&type=demo.Strict&limit=50' },
  { name: 'list, key prefix', path: () => '/api/jobs?keyPrefix=job-12345&limit=50' },
  { name: 'list, key prefix & state=succeeded', path: () => '/api/jobs?keyPrefix=job-12345&state=succeeded&limit=50' },
  { name: 'list, created in the last 24 h', path: () => '/api/jobs?from=-24h&limit=50' },
  { name: 'list, created 20–21 days ago', path: () => '/api/jobs?from=-21d&to=-20d&limit=50' },
  { name: 'list, by finish time (newest)', path: () => '/api/jobs?sort=-finished&limit=50' },
  { name: 'list, by finish time, next page', path: () => `/api/jobs?sort=-finished&limit=50&cursor=${finishedPage.nextCursor}` },
  { name: 'list, finished in the last 6 h, by finish time', path: () => '/api/jobs?from=-6h&timeField=finished&sort=-finished&limit=50' },
  { name: 'list, failed, by finish time', path: () => '/api/jobs?state=failed&sort=-finished&limit=50' },
  { name: 'job detail (failed, 3 attempts)', path: () => `/api/jobs/${ids.sampleJobId}` },
  { name: 'job detail (root with 497 dependents)', path: () => `/api/jobs/${ids.dagRootId}` },
  { name: 'job input download', path: () => `/api/jobs/${Math.floor(jobCount / 3)}/input` },
  { name: 'overview (registry, workers)', path: () => '/api/overview' },
  { name: 'counts per type and state', path: () => '/api/counts' },
  { name: 'throughput, 24 h', path: () => '/api/throughput?window=24h' },
  { name: 'throughput, 1 h, one type', path: () => '/api/throughput?window=1h&type=demo.Flaky' },
  { name: 'per-type stats (latest 2,000)', path: () => '/api/job-types/demo.Produce/stats' },
  { name: 'per-type stats (rarer type)', path: () => '/api/job-types/demo.Slow/stats' },
  { name: 'DAG, 500 nodes', path: () => `/api/jobs/${ids.dagRootId}/graph` },
  { name: 'DAG, Combine chain (limit 500)', path: () => `/api/jobs/${Math.floor(jobCount / 2)}/graph` },
].filter((endpoint) => values.only === undefined || endpoint.name.includes(values.only));

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const results: { name: string; p50: number; p95: number; max: number; cold: number }[] = [];
for (const endpoint of endpoints) {
  let started = performance.now();
  await get(endpoint.path());
  const cold = performance.now() - started;
  for (let index = 0; index < 3; index++) await get(endpoint.path());
  const timings: number[] = [];
  for (let index = 0; index < rounds; index++) {
    started = performance.now();
    await get(endpoint.path());
    timings.push(performance.now() - started);
  }
  timings.sort((a, b) => a - b);
  const row = { name: endpoint.name, p50: percentile(timings, 50), p95: percentile(timings, 95), max: timings[timings.length - 1]!, cold };
  results.push(row);
  console.log(`${row.name.padEnd(50)} p50 ${row.p50.toFixed(1).padStart(7)} ms   p95 ${row.p95.toFixed(1).padStart(7)} ms   first ${row.cold.toFixed(1).padStart(7)} ms`);
}
console.log(`\nload average after: ${os.loadavg().map((load) => load.toFixed(2)).join(' ')}`);
console.log('\n| endpoint | p50 ms | p95 ms | max ms | first request ms |\n|---|---:|---:|---:|---:|');
for (const row of results) console.log(`| ${row.name} | ${row.p50.toFixed(1)} | ${row.p95.toFixed(1)} | ${row.max.toFixed(1)} | ${row.cold.toFixed(1)} |`);
await admin.close();
if (!values.keep) await run(`drop schema if exists "${schema}" cascade`);
await database.close();
