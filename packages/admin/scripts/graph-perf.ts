/**
 * The workflow graph page with 1,000 jobs in Chromium (issue 20): time to first render, what an
 * idle page costs for 10 s (long tasks, frames), and one zoom step. Not a test: run it by hand and
 * copy the table into PERFORMANCE.md.
 *
 *   npm run build:ui -w @jobby/admin
 *   npm run perf:graph -w @jobby/admin                          # the built UI (dist/ui)
 *   npm run perf:graph -w @jobby/admin -- --before /tmp/ui-old  # and an older build, alternated
 *
 * Two workflows of 1,000 jobs in a scratch schema of the test Postgres (dropped after): a
 * catalogue (a fetch job, 450 page jobs each followed by its own item job, a stats job, then a
 * chain of 98 jobs) and a chain of 1,000 jobs (nothing to group: the worst case for drawing).
 * Each page opens on the last job of its workflow. The older UI (before issue 20: the lineage,
 * capped at 500 jobs) gets the same URLs. The server is this checkout's; both UIs read
 * `/api/jobs/:id/graph` (the old one without `view`, which is the lineage).
 *
 * Chromium: JOBBY_CHROMIUM_PATH or /usr/bin/chromium, headless, as the e2e test starts it.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { createJobbyClient, createLogger } from '@jobby/core';
import { createJobStore } from '@jobby/core/store';
import { createTestDatabase } from '@jobby/core/testing';
import { startAdminServer } from '../src/index.js';
import { defaultUiDirectory } from '../src/server/static-ui.js';
import { e2eRegistry } from '../src/testing/shop-plugin.js';

const { values } = parseArgs({ options: { before: { type: 'string' }, after: { type: 'string', default: defaultUiDirectory }, rounds: { type: 'string', default: '2' } } });

const database = await createTestDatabase({ backend: 'postgres' });
const logger = createLogger({ level: 'silent' });
const store = createJobStore(database, { describeType: (id) => `type ${id}` });
await store.jobTypeSync(e2eRegistry.plugins.flatMap((plugin) => plugin.jobTypes.map((type) => ({ id: type.id, name: `${plugin.name}.${type.name}` }))));
const client = createJobbyClient({ database, registry: e2eRegistry });

type Submission = { type: string; key: string; input: unknown; options?: { dependsOn: { type: string; key: string }[] } };
const catalogue: Submission[] = [{ type: 'shop.FetchCatalog', key: 'perf-fetch', input: { url: 'https://shop.example/api/catalog', pages: 10, region: 'eu', tags: [] } }];
for (let page = 1; page <= 450; page++) {
  catalogue.push({ type: 'shop.ProcessCatalogPage', key: `perf-page-${page}`, input: { page }, options: { dependsOn: [{ type: 'shop.FetchCatalog', key: 'perf-fetch' }] } });
  catalogue.push({ type: 'demo.Produce', key: `perf-items-of-catalogue-page-${page}`, input: { value: page }, options: { dependsOn: [{ type: 'shop.ProcessCatalogPage', key: `perf-page-${page}` }] } });
}
catalogue.push({ type: 'shop.CatalogStats', key: 'perf-stats', input: { label: 'perf' }, options: { dependsOn: Array.from({ length: 450 }, (_, page) => ({ type: 'demo.Produce', key: `perf-items-of-catalogue-page-${page + 1}` })) } });
for (let step = 1; step <= 98; step++) {
  catalogue.push({ type: 'demo.Combine', key: `perf-after-${step}`, input: { label: 'after' }, options: { dependsOn: [step === 1 ? { type: 'shop.CatalogStats', key: 'perf-stats' } : { type: 'demo.Combine', key: `perf-after-${step - 1}` }] } });
}
const chain: Submission[] = Array.from({ length: 1000 }, (_, index) => ({
  type: 'demo.Combine',
  key: `chain-${String(index).padStart(4, '0')}`,
  input: { label: 'chain' },
  options: index === 0 ? undefined : { dependsOn: [{ type: 'demo.Combine', key: `chain-${String(index - 1).padStart(4, '0')}` }] },
}));
const submitted = new Map<string, string>();
for (const batch of [catalogue, chain]) for (const result of await client.submitMany(batch as never)) submitted.set(result.key, result.id);
const workflows = [
  { name: 'catalogue (1,000 jobs)', id: submitted.get('perf-after-98')! },
  { name: 'chain (1,000 jobs)', id: submitted.get('chain-0999')! },
];

const uis = [...(values.before ? [{ name: 'before', directory: values.before }] : []), { name: 'after', directory: values.after }];
const servers = new Map<string, string>();
for (const ui of uis) servers.set(ui.name, (await startAdminServer({ database, registry: e2eRegistry, token: 'perf', logger, uiDirectory: ui.directory })).url);

const browser = await chromium.launch({
  executablePath: process.env.JOBBY_CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

interface Measure {
  ui: string;
  workflow: string;
  nodes: number;
  firstRenderMs: number;
  idleLongTaskMs: number;
  idleLongTasks: number;
  idleFrameP50Ms: number;
  idleFrameMaxMs: number;
  zoomStepMs: number;
  zoomLongTaskMs: number;
}

// Scripts that run in the page, as text: tsx would wrap named functions in a helper (`__name`)
// that the page does not have.
const collectLongTasks = `
  window.jobbyLongTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.jobbyLongTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });`;

/** Graph nodes on screen, then the frame that paints them: ms since navigation. */
const untilFirstRender = `new Promise((resolve) => {
  const check = () => {
    if (document.querySelectorAll('.react-flow__node').length > 0) requestAnimationFrame(() => resolve(performance.now()));
    else requestAnimationFrame(check);
  };
  check();
})`;

/** 10 s of an idle page (two of its 5-second refreshes): every frame's length and the long tasks. */
const idleFor10s = `new Promise((resolve) => {
  const started = performance.now();
  const frames = [];
  let last = started;
  const tick = (now) => {
    frames.push(now - last);
    last = now;
    if (now - started < 10000) requestAnimationFrame(tick);
    else resolve({ frames, tasks: window.jobbyLongTasks.filter((task) => task.start >= started) });
  };
  requestAnimationFrame(tick);
})`;

/** The zoom-in button, until the frame after the new transform; the long tasks of that step. */
const zoomStep = `new Promise((resolve) => {
  const started = performance.now();
  document.querySelector('.react-flow__controls-zoomin').click();
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const ms = performance.now() - started;
    setTimeout(() => resolve({ ms, longTaskMs: window.jobbyLongTasks.filter((task) => task.start >= started).reduce((sum, task) => sum + task.duration, 0) }), 100);
  }));
})`;

async function measure(page: Page, url: string): Promise<Omit<Measure, 'ui' | 'workflow'>> {
  await page.addInitScript({ content: collectLongTasks });
  await page.goto(url);
  const firstRenderMs = (await page.evaluate(untilFirstRender)) as number;
  const nodes = (await page.evaluate("document.querySelectorAll('.react-flow__node').length")) as number;
  await page.waitForTimeout(1_000);
  const idle = (await page.evaluate(idleFor10s)) as { frames: number[]; tasks: { start: number; duration: number }[] };
  const sorted = [...idle.frames].sort((left, right) => left - right);
  const zooms: { ms: number; longTaskMs: number }[] = [];
  for (let step = 0; step < 5; step++) {
    zooms.push((await page.evaluate(zoomStep)) as { ms: number; longTaskMs: number });
    await page.waitForTimeout(300);
  }
  zooms.sort((left, right) => left.ms - right.ms);
  return {
    nodes,
    firstRenderMs,
    idleLongTaskMs: idle.tasks.reduce((sum, task) => sum + task.duration, 0),
    idleLongTasks: idle.tasks.length,
    idleFrameP50Ms: sorted[Math.floor(sorted.length / 2)] ?? 0,
    idleFrameMaxMs: sorted.at(-1) ?? 0,
    // The median of 5 steps.
    zoomStepMs: zooms[2]!.ms,
    zoomLongTaskMs: zooms[2]!.longTaskMs,
  };
}

const results: Measure[] = [];
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const workflow of workflows) {
      for (const ui of uis) {
        const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
        const page = await context.newPage();
        const result = await measure(page, `${servers.get(ui.name)}/jobs/${workflow.id}/graph`);
        results.push({ ui: ui.name, workflow: workflow.name, ...result });
        console.log(JSON.stringify(results.at(-1)));
        await context.close();
      }
    }
  }
} finally {
  await browser.close();
  await database.close();
}

const fixed = (value: number) => value.toFixed(0);
console.log(`\nload average ${os.loadavg().map((value) => value.toFixed(1)).join(' ')}, ${os.cpus().length} cores, ${new Date().toISOString()}\n`);
console.log('| UI | workflow | nodes drawn | first render ms | idle 10 s: long tasks ms (count) | idle frame p50 / max ms | zoom step ms (long tasks ms) |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const result of results) {
  console.log(`| ${result.ui} | ${result.workflow} | ${result.nodes} | ${fixed(result.firstRenderMs)} | ${fixed(result.idleLongTaskMs)} (${result.idleLongTasks}) | ${result.idleFrameP50Ms.toFixed(1)} / ${fixed(result.idleFrameMaxMs)} | ${fixed(result.zoomStepMs)} (${fixed(result.zoomLongTaskMs)}) |`);
}
process.exit(0);
