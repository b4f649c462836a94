import type { SystemName, TestName } from './system.js';

/** Result rows (latest.json) and what is derived from them: medians, min–max, ratios, markdown, SVG. */

/** The tests whose timed window is also measured per job: CPU time (whole machine) and WAL bytes (cluster). */
const perJobMeasuredTests = ['enqueue-batch', 'process', 'process-bloated', 'process-history'] as const;
type PerJobMeasuredTest = (typeof perJobMeasuredTests)[number];
export type CpuTestName = `${PerJobMeasuredTest}-cpu`;
export type WalTestName = `${PerJobMeasuredTest}-wal`;

export function isMeasuredPerJob(test: TestName): test is PerJobMeasuredTest {
  return (perJobMeasuredTests as readonly string[]).includes(test);
}

export type ResultRow =
  | { system: SystemName; test: TestName; variant: string; run: number; rate: number }
  | { system: SystemName; test: TestName; variant: string; run: number; p50: number; p95: number; p99: number }
  | { system: SystemName; test: 'peak-rss'; variant: string; run: number; megabytes: number }
  /** Busy CPU time of the whole machine during the test's timed window, per job. */
  | { system: SystemName; test: CpuTestName; variant: string; run: number; microseconds: number }
  /** WAL the cluster wrote during the test's timed window, per job. */
  | { system: SystemName; test: WalTestName; variant: string; run: number; bytes: number };

type ReportedTestName = TestName | 'peak-rss' | CpuTestName | WalTestName;

export interface Summary {
  system: SystemName;
  test: ReportedTestName;
  variant: string;
  unit: string;
  /** Median and min–max of the main figure (rate, p50 latency, megabytes, CPU µs or WAL bytes per job). */
  median: number;
  min: number;
  max: number;
  runs: number;
  /** Latency tests: medians of p95 and p99. */
  p95?: number;
  p99?: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function summarize(rows: readonly ResultRow[]): Summary[] {
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) {
    const key = `${row.test}\u0000${row.system}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const summaries: Summary[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    const main = group.map((row) => ('rate' in row ? row.rate : 'p50' in row ? row.p50 : 'megabytes' in row ? row.megabytes : 'bytes' in row ? row.bytes : row.microseconds));
    const summary: Summary = {
      system: first.system,
      test: first.test,
      variant: first.variant,
      unit: 'rate' in first ? 'jobs/s' : 'p50' in first ? 'ms' : 'megabytes' in first ? 'MB' : 'bytes' in first ? 'B' : 'µs',
      median: median(main),
      min: Math.min(...main),
      max: Math.max(...main),
      runs: group.length,
    };
    if ('p50' in first) {
      summary.p95 = median(group.map((row) => (row as { p95: number }).p95));
      summary.p99 = median(group.map((row) => (row as { p99: number }).p99));
    }
    summaries.push(summary);
  }
  return summaries;
}

const testOrder: ReportedTestName[] = [
  'enqueue-batch',
  'enqueue-single',
  'process',
  'process-bloated',
  'process-history',
  'latency',
  'scheduled',
  'dag',
  'peak-rss',
  'enqueue-batch-cpu',
  'process-cpu',
  'process-bloated-cpu',
  'process-history-cpu',
  'enqueue-batch-wal',
  'process-wal',
  'process-bloated-wal',
  'process-history-wal',
];
const systemOrder: SystemName[] = ['jobby', 'graphile-worker', 'pg-boss', 'bullmq', 'raw-pg'];

/** How each unit of a summary is labelled: in the table's unit column, and under a chart panel's title. */
const unitLabels: Record<string, { table: string; chart: string }> = {
  'jobs/s': { table: 'jobs/s', chart: 'jobs/s' },
  ms: { table: 'ms', chart: 'p50 ms (lower is better)' },
  MB: { table: 'MB (process)', chart: 'MB (lower is better)' },
  µs: { table: 'µs CPU per job (machine)', chart: 'µs CPU/job (lower is better)' },
  B: { table: 'bytes of WAL per job', chart: 'WAL B/job (lower is better)' },
};

function format(value: number, unit: string): string {
  if (unit === 'ms') return value.toFixed(1);
  if (unit === 'MB') return value.toFixed(0);
  if (unit === 'µs') return value.toFixed(1);
  if (unit === 'B') return Math.round(value).toLocaleString('en-US');
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

function cell(summary: Summary | undefined): string {
  if (!summary) return '–';
  if (summary.unit === 'ms') {
    return `${format(summary.median, 'ms')} / ${format(summary.p95!, 'ms')} / ${format(summary.p99!, 'ms')}`;
  }
  const spread = summary.runs > 1 ? ` (${format(summary.min, summary.unit)}–${format(summary.max, summary.unit)})` : '';
  return `${format(summary.median, summary.unit)}${spread}`;
}

/** jobby's median over the peer's: for latencies, memory, CPU and WAL, lower is better, so peer / jobby. */
export function ratio(jobby: Summary | undefined, peer: Summary | undefined, which: 'median' | 'p99' = 'median'): number | undefined {
  if (!jobby || !peer) return undefined;
  const a = which === 'p99' ? jobby.p99! : jobby.median;
  const b = which === 'p99' ? peer.p99! : peer.median;
  if (!(a > 0) || !(b > 0)) return undefined;
  return jobby.unit === 'jobs/s' ? a / b : b / a;
}

export function markdownTable(summaries: readonly Summary[], meta: { rounds: number; when: string; load: string; history?: string }): string {
  const find = (system: SystemName, test: string) => summaries.find((summary) => summary.system === system && summary.test === test);
  const present = systemOrder.filter((system) => summaries.some((summary) => summary.system === system));
  // Ratio columns only where there is a jobby to compare and a peer to compare it with.
  const peers = present.includes('jobby') ? present.filter((system) => system !== 'jobby') : [];
  const columns = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const lines = [
    `Medians of ${meta.rounds} interleaved round${meta.rounds === 1 ? '' : 's'} (min–max in parentheses); latency cells are p50 / p95 / p99 ms (scheduled: a handler's start minus its job's run-at). ${meta.when}; ${meta.load}.`,
    '',
    columns(['test', 'unit', ...present, ...peers.map((system) => `jobby ÷ ${system}`)]),
    columns(['---', '---', ...present.map(() => '---:'), ...peers.map(() => '---:')]).replace(/ /g, ''),
  ];
  for (const test of testOrder) {
    const row = present.map((system) => find(system, test));
    if (row.every((summary) => !summary)) continue;
    const unit = unitLabels[row.find(Boolean)!.unit]!.table;
    const ratios = peers.map((system) => {
      const r = ratio(find('jobby', test), find(system, test));
      if (r === undefined) return '–';
      if (test === 'latency' || test === 'scheduled') {
        const r99 = ratio(find('jobby', test), find(system, test), 'p99');
        return `${r.toFixed(2)}× p50, ${r99?.toFixed(2) ?? '–'}× p99`;
      }
      return `${r.toFixed(2)}×`;
    });
    lines.push(columns([test, unit, ...row.map(cell), ...ratios]));
  }
  lines.push('', 'Ratios: throughput jobby ÷ peer (higher is better for jobby); latency, memory, CPU and WAL peer ÷ jobby (above 1 = jobby lower).');
  // What keeping history costs each system: its process-history median over its process median.
  const historyCosts = present.flatMap((system) => {
    const withHistory = find(system, 'process-history');
    const without = find(system, 'process');
    return withHistory && without ? [`${system} ${(withHistory.median / without.median).toFixed(2)}×`] : [];
  });
  if (historyCosts.length > 0) lines.push('', `process-history ÷ process (1.00× = history costs nothing): ${historyCosts.join(', ')}.`);
  if (meta.history) lines.push('', `${meta.history}.`);
  if (present.some((system) => find(system, 'process-cpu'))) {
    lines.push('', "CPU per job: the whole machine's busy time (/proc/stat: the system's Node process, Postgres's backends and background processes, and redis-server for bullmq) during the timed window, divided by the jobs; meaningful on an otherwise quiet machine.");
  }
  if (present.some((system) => find(system, 'process-wal'))) {
    lines.push('', "WAL per job: the bytes the cluster's write-ahead log grew by during the timed window (pg_current_wal_insert_lsn), divided by the jobs: row versions, index entries, locks and commits; the machine's speed does not move it, other writers to the cluster would. None for bullmq, whose jobs live in Redis.");
  }
  lines.push('', 'Variants: ' + present.map((system) => `${system} \`${summaries.find((summary) => summary.system === system)?.variant ?? ''}\``).join(', ') + '.');
  return `${lines.join('\n')}\n`;
}

const colors: Record<SystemName, string> = { jobby: '#2563eb', 'graphile-worker': '#f59e0b', 'pg-boss': '#10b981', bullmq: '#dc2626', 'raw-pg': '#6b7280' };

/** A grouped bar chart: one panel per test, bars = median (log scale within a panel), whiskers = min–max. */
export function svgChart(summaries: readonly Summary[]): string {
  const tests = testOrder.filter((test) => summaries.some((summary) => summary.test === test));
  const present = systemOrder.filter((system) => summaries.some((summary) => summary.system === system));
  const panelWidth = 150;
  const height = 260;
  const top = 40;
  const bottom = 200;
  const width = tests.length * panelWidth + 40;
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + 30}" font-family="sans-serif" font-size="10">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  tests.forEach((test, panel) => {
    const x0 = 20 + panel * panelWidth;
    const items = present.map((system) => summaries.find((summary) => summary.system === system && summary.test === test));
    const maxValue = Math.max(...items.map((summary) => summary?.max ?? 0), 1);
    const unit = items.find(Boolean)?.unit ?? '';
    parts.push(`<text x="${x0 + panelWidth / 2 - 10}" y="16" text-anchor="middle" font-weight="bold">${escape(test)}</text>`);
    parts.push(`<text x="${x0 + panelWidth / 2 - 10}" y="29" text-anchor="middle" fill="#555">${escape(unitLabels[unit]?.chart ?? unit)}</text>`);
    const barWidth = (panelWidth - 30) / present.length;
    items.forEach((summary, index) => {
      if (!summary) return;
      const scale = (value: number) => bottom - ((bottom - top) * value) / maxValue;
      const x = x0 + index * barWidth;
      parts.push(`<rect x="${x.toFixed(1)}" y="${scale(summary.median).toFixed(1)}" width="${(barWidth - 3).toFixed(1)}" height="${(bottom - scale(summary.median)).toFixed(1)}" fill="${colors[summary.system]}"><title>${escape(`${summary.system}: ${cell(summary)}`)}</title></rect>`);
      const middle = x + (barWidth - 3) / 2;
      parts.push(`<line x1="${middle.toFixed(1)}" x2="${middle.toFixed(1)}" y1="${scale(summary.min).toFixed(1)}" y2="${scale(summary.max).toFixed(1)}" stroke="black"/>`);
      parts.push(`<text x="${middle.toFixed(1)}" y="${(scale(summary.median) - 3).toFixed(1)}" text-anchor="middle" font-size="8">${escape(format(summary.median, summary.unit))}</text>`);
    });
    parts.push(`<line x1="${x0}" x2="${x0 + panelWidth - 30}" y1="${bottom}" y2="${bottom}" stroke="#999"/>`);
  });
  present.forEach((system, index) => {
    parts.push(`<rect x="${20 + index * 130}" y="${height - 30}" width="12" height="12" fill="${colors[system]}"/>`);
    parts.push(`<text x="${36 + index * 130}" y="${height - 20}">${escape(system)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
