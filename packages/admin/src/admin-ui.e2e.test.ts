import { existsSync } from 'node:fs';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobbyClient, createLogger, createWorker, type JobbyClient, type Worker } from '@jobby/core';
import { createTestDatabase, type TestDatabase } from '@jobby/core/testing';
import { startAdminServer, type AdminServer } from './index.js';
import { steamJobs } from '@jobby/steam';
import { e2eRegistry, shopControl, submitShopWorkflow } from './testing/shop-plugin.js';

/**
 * The admin UI in Debian's Chromium, driven by playwright-core, against real Postgres and a real
 * worker in this process. The worker runs the real steam plugin in local mode, so its startup jobs
 * submit the `sentinel` chain whose DAG a test opens, and the shop stand-in, whose catalogue
 * workflow fails where a test says (`shopControl`). Screenshots (light and dark) go to packages/admin/test-results/.
 * Chromium missing is a failure, never a skip: install it with `apt-get install -y chromium` or
 * point JOBBY_CHROMIUM_PATH at one.
 */

// Callbacks that run in the page (this file is type-checked without the DOM library).
declare const document: {
  querySelector(selector: string): { textContent: string | null; getAttribute(name: string): string | null; getBoundingClientRect(): { left: number; right: number } } | null;
  querySelectorAll(selector: string): { length: number };
  documentElement: { scrollWidth: number; clientWidth: number };
};
declare const performance: { getEntriesByType(type: string): { name: string; encodedBodySize: number; decodedBodySize: number }[] };
declare const sessionStorage: { setItem(name: string, value: string): void };

const packageRoot = fileURLToPath(new URL('../', import.meta.url));
const resultsDir = path.join(packageRoot, 'test-results');
const chromiumPath = process.env.JOBBY_CHROMIUM_PATH || '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const token = 'e2e-admin-token';

let database: TestDatabase;
let worker: Worker;
let client: JobbyClient;
let admin: AdminServer;
let browser: Browser;
let workflow: Record<string, string>;

/** Builds the UI when dist/ui is missing or older than its sources, so the test never runs a stale UI. */
async function ensureUiBuilt(): Promise<void> {
  const index = path.join(packageRoot, 'dist/ui/index.html');
  const newest = Math.max(...(await Promise.all(['src/ui', 'src/shared'].map((directory) => newestMtime(path.join(packageRoot, directory))))));
  const built = existsSync(index) ? (await stat(index)).mtimeMs : 0;
  if (built >= newest) return;
  const { build } = await import('vite');
  // Vitest sets NODE_ENV=test, which would give a development build of React (twice the size,
  // slower): the browser tests run the UI as it ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: path.join(packageRoot, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

async function newestMtime(directory: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestMtime(full) : (await stat(full)).mtimeMs);
  }
  return newest;
}

async function openPage(options: { dark?: boolean; withToken?: boolean; width?: number } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const width = options.width ?? 1360;
  const context = await browser.newContext({ colorScheme: options.dark ? 'dark' : 'light', viewport: { width, height: width < 600 ? 844 : 900 }, deviceScaleFactor: 1 });
  if (options.withToken) await context.addInitScript((value) => sessionStorage.setItem('jobby-admin-token', value), token);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  (page as Page & { problems: string[] }).problems = problems;
  return { context, page };
}

const shoot = (page: Page, name: string) => page.screenshot({ path: path.join(resultsDir, `${name}.png`), fullPage: true });

async function headerState(page: Page): Promise<string | null> {
  return page.locator('.page-header .subtitle .state').first().textContent();
}

async function untilHeaderState(page: Page, state: string, timeout = 20_000): Promise<void> {
  await page.waitForFunction((expected) => document.querySelector('.page-header .subtitle .state')?.textContent === expected, state, { timeout });
}

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium is not at ${chromiumPath}. Install it with "apt-get update && apt-get install -y chromium", or set JOBBY_CHROMIUM_PATH. Browser tests never skip.`);
  }
  await mkdir(resultsDir, { recursive: true });
  await ensureUiBuilt();
  database = await createTestDatabase({ backend: 'postgres' });
  const logger = createLogger({ level: 'silent' });
  worker = createWorker({ database, registry: e2eRegistry, logger, concurrency: 4, pollIntervalMs: 250, sweepIntervalMs: 500, workersMode: 'local', jobsMode: 'local' });
  await worker.start();
  client = createJobbyClient({ database, registry: e2eRegistry });
  shopControl.failingPages = new Set([3]);
  workflow = await submitShopWorkflow(client as never, 'nightly', 4);
  await client.submit('demo.Produce' as never, 'warm-up', { value: 21 } as never);
  admin = await startAdminServer({ database, registry: e2eRegistry, token, worker, logger });
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
  // The workflows settle: page 3 fails, so the stats job is cancelled; the steam sentinel chain succeeds.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const stats = await client.getById(workflow['nightly-stats']!);
    const sentinel = await client.get(steamJobs.refs.ProcessAppList, 'sentinel');
    if (stats?.state === 'cancelled' && sentinel?.state === 'succeeded') break;
    if (Date.now() > deadline) throw new Error(`workflows did not settle: shop stats is ${stats?.state}, steam.ProcessAppList:sentinel is ${sentinel?.state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await admin?.close();
  await worker?.stop({ graceMs: 200 });
  await database?.close();
});

describe('admin UI in Chromium', { timeout: 120_000 }, () => {
  it('opens the overview: counts per type and state, job types with their workers, live workers, the chart', async () => {
    for (const dark of [false, true]) {
      const { context, page } = await openPage({ dark });
      await page.goto(`${admin.url}/`);
      const counts = page.getByTestId('counts-table');
      await counts.waitFor();
      await page.waitForFunction(() => document.querySelector('[data-testid=counts-table]')?.textContent?.includes('shop.ProcessCatalogPage'));
      expect(await counts.textContent()).toContain('steam.ProcessAppList');
      const types = await page.getByTestId('types-table').textContent();
      expect(types).toContain('catalog-page-processor');
      expect(types).toContain('steam.FetchAppList');
      expect(types).toContain('steam_app_list_processor');
      expect(await page.getByTestId('workers-table').textContent()).toContain('live');
      // Queue health per type, and the hour's failure called out (shop page 3 failed in the setup).
      await page.getByTestId('queue-health-table').waitFor();
      expect(await page.getByTestId('queue-health-table').locator('tr.row-alert').first().textContent()).toContain('shop.ProcessCatalogPage');
      expect(await page.getByRole('alert').first().textContent()).toMatch(/failed in the last hour/);
      expect(await page.locator('[data-testid=counts-table] td.cell-alert').count()).toBeGreaterThan(0);
      await page.locator('.chart svg').waitFor();
      expect(await page.locator('.chart .bar-succeeded').count()).toBeGreaterThan(0);
      await shoot(page, `overview-${dark ? 'dark' : 'light'}`);
      expect((page as Page & { problems: string[] }).problems).toEqual([]);
      await context.close();
    }
  });

  it('submits a job through the form, with inline validation, and watches it succeed', async () => {
    const { context, page } = await openPage();
    await page.goto(`${admin.url}/submit?type=shop.FetchCatalog`);
    // The token, entered the way a person does.
    await page.getByRole('button', { name: 'Enter token' }).click();
    await page.locator('#admin-token').fill(token);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'Token set' }).waitFor();

    await page.locator('#submit-key').fill('from-the-form');
    await page.locator('#field-url').fill('https://shop.example/api/catalog');
    await page.locator('#field-pages').fill('0');
    await page.getByRole('button', { name: 'Submit job' }).click();
    await page.getByText('must be ≥ 1').waitFor();
    expect(await page.getByText('is required').count()).toBeGreaterThan(0); // region
    await shoot(page, 'submit-validation-light');

    // Server-side validation lands inline too: an unknown property in JSON mode.
    await page.locator('#field-pages').fill('3');
    await page.locator('#field-region').selectOption('us');
    await page.getByRole('button', { name: 'Edit as JSON' }).click();
    const json = JSON.parse(await page.locator('#submit-json').inputValue()) as Record<string, unknown>;
    await page.locator('#submit-json').fill(JSON.stringify({ ...json, colour: 'blue' }, null, 2));
    await page.getByRole('button', { name: 'Submit job' }).click();
    await page.getByText('must NOT have additional properties').waitFor();
    await page.locator('#submit-json').fill(JSON.stringify(json, null, 2));
    await page.getByRole('button', { name: 'Edit as form' }).click();

    await page.getByRole('button', { name: 'Add item' }).click();
    await page.locator('#field-tags-0').fill('from-ui');
    await page.locator('#field-dryRun').check();
    await page.getByRole('button', { name: 'Submit job' }).click();
    await page.waitForURL(/\/jobs\/\d+$/);
    await untilHeaderState(page, 'succeeded');
    expect(await page.locator('.payload').first().textContent()).toContain('"from-ui"');
    expect(await page.getByTestId('attempts-table').textContent()).toContain('succeeded');
    await shoot(page, 'job-succeeded-light');
    const id = page.url().split('/').pop()!;
    const stored = await client.getById(id);
    expect(stored).toMatchObject({ type: 'shop.FetchCatalog', key: 'from-the-form', state: 'succeeded', input: { url: 'https://shop.example/api/catalog', pages: 3, region: 'us', tags: ['from-ui'], dryRun: true } });
    await context.close();
  });

  it('opens the DAG of the steam sentinel workflow from the job page: both jobs succeeded, the fetch a click away', async () => {
    const processed = await client.get(steamJobs.refs.ProcessAppList, 'sentinel');
    const fetched = await client.get(steamJobs.refs.FetchAppList, 'sentinel');
    expect(processed).toMatchObject({ state: 'succeeded' });
    expect(fetched).toMatchObject({ state: 'succeeded' });
    for (const dark of [false, true]) {
      const { context, page } = await openPage({ dark });
      // The job page of steam.ProcessAppList:sentinel, then its workflow graph.
      await page.goto(`${admin.url}/jobs/${processed!.id}`);
      await untilHeaderState(page, 'succeeded');
      expect(await page.locator('.page-header h1').textContent()).toMatch(/steam\.ProcessAppList\s*:\s*sentinel/);
      await page.getByRole('link', { name: 'Workflow graph' }).click();
      await page.waitForURL(new RegExp(`/jobs/${processed!.id}/graph$`));
      await page.getByTestId('dag').waitFor();
      await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 2);
      const fetchNode = page.locator('.react-flow__node', { hasText: 'steam.FetchAppList' });
      const processNode = page.locator('.react-flow__node', { hasText: 'steam.ProcessAppList' });
      expect(await fetchNode.textContent()).toContain('sentinel');
      expect(await processNode.textContent()).toContain('sentinel');
      expect(await fetchNode.getAttribute('class')).toContain('dag-succeeded');
      expect(await processNode.getAttribute('class')).toMatch(/dag-succeeded.*dag-root/);
      expect(await page.locator('.react-flow__node.dag-succeeded').count()).toBe(2);
      expect(await page.locator('.react-flow__edge').count()).toBe(1);
      expect(await page.locator('.react-flow__edge.dag-edge-succeeded').count()).toBe(1);
      expect(await page.locator('.page-header').textContent()).toContain('2 jobs, 1 dependency');
      await page.waitForTimeout(300);
      await shoot(page, `dag-steam-${dark ? 'dark' : 'light'}`);
      if (!dark) {
        // A click selects: the details beside the graph, with the whole key and a link to the job.
        await fetchNode.click();
        const details = page.getByTestId('dag-details');
        expect(await details.locator('.dag-details-key').textContent()).toBe('sentinel');
        await details.getByRole('link', { name: 'Open job' }).click();
        await page.waitForURL(new RegExp(`/jobs/${fetched!.id}$`));
        await untilHeaderState(page, 'succeeded');
        expect(await page.locator('.page-header h1').textContent()).toMatch(/steam\.FetchAppList\s*:\s*sentinel/);
        expect(await page.getByTestId('attempts-table').textContent()).toContain('succeeded');
        // The output the real plugin produced from the fixture it ships, in the text view (the tree is the default).
        await page.getByRole('region', { name: 'Output' }).getByRole('button', { name: 'Text' }).click();
        await page.locator('section[aria-label="Output"] pre').waitFor();
        expect(await page.locator('section[aria-label="Output"] pre').textContent()).toContain('"Counter-Strike"');
        await shoot(page, 'job-steam-fetch-light');
      }
      expect((page as Page & { problems: string[] }).problems).toEqual([]);
      await context.close();
    }
  });

  it('opens the DAG of the shop catalogue workflow, coloured by state (failed, cancelled), with clickable nodes', async () => {
    for (const dark of [false, true]) {
      const { context, page } = await openPage({ dark });
      await page.goto(`${admin.url}/jobs/${workflow['nightly-stats']}/graph`);
      await page.getByTestId('dag').waitFor();
      await page.waitForFunction(() => document.querySelectorAll('.react-flow__node').length === 6);
      expect(await page.locator('.react-flow__node.dag-failed').count()).toBe(1);
      expect(await page.locator('.react-flow__node.dag-cancelled').count()).toBe(1);
      expect(await page.locator('.react-flow__node.dag-succeeded').count()).toBe(4);
      expect(await page.locator('.react-flow__edge').count()).toBe(8);
      await page.waitForTimeout(300);
      await shoot(page, `dag-shop-${dark ? 'dark' : 'light'}`);
      if (!dark) {
        // Arrowheads on the dependencies; a double-click opens the job.
        expect(await page.locator('.react-flow__edge path[marker-end]').count()).toBe(8);
        await page.locator('.react-flow__node.dag-failed').dblclick();
        await page.waitForURL(new RegExp(`/jobs/${workflow['nightly-page-3']}$`));
        await untilHeaderState(page, 'failed');
      }
      await context.close();
    }
  });

  it('groups the 500-job workflow into look-alikes with state counts, and recolours it on refresh without a new layout', async () => {
    // Pages wait (their type paused) until the graph is on screen, so that a refresh brings new states.
    await client.setTypeControls('shop.ProcessCatalogPage' as never, { paused: true });
    try {
      const wide = await submitShopWorkflow(client as never, 'wide', 498);
      const { context, page } = await openPage();
      const started = Date.now();
      await page.goto(`${admin.url}/jobs/${wide['wide-stats']}/graph`);
      await page.getByText('500 jobs, 996 dependencies').waitFor({ timeout: 20_000 });
      const group = page.locator('.react-flow__node.dag-group');
      await group.waitFor();
      const renderMs = Date.now() - started;
      // Fetch → the 498 pages as one group → stats; the minimap draws them.
      expect(await page.locator('.react-flow__node').count()).toBe(3);
      expect(await group.textContent()).toMatch(/^shop\.ProcessCatalogPage ×498\d+ [○◌]/);
      expect(await group.textContent()).not.toContain('✓');
      expect(await page.locator('.react-flow__minimap-node').count()).toBe(3);
      const dag = page.getByTestId('dag');
      const layouts = await dag.getAttribute('data-layouts');
      const positions = () => page.locator('.react-flow__node').evaluateAll((nodes) => nodes.map((node) => (node as unknown as { style: { transform: string } }).style.transform));
      const before = await positions();
      await page.screenshot({ path: path.join(resultsDir, 'dag-500-light.png') });

      await client.setTypeControls('shop.ProcessCatalogPage' as never, { paused: false });
      await page.waitForFunction(() => /\d+ ✓/.test(document.querySelector('.react-flow__node.dag-group')?.textContent ?? ''), undefined, { timeout: 20_000 });
      expect(await dag.getAttribute('data-layouts')).toBe(layouts);
      expect(await positions()).toEqual(before);

      // A click shows the group's counts; expanding it lays out the 498 jobs.
      await group.click();
      await page.getByTestId('dag-details').getByRole('button', { name: 'Expand group' }).click();
      await page.waitForFunction(() => document.querySelector('[data-testid=dag]')?.getAttribute('data-nodes') === '500');
      expect(Number(await dag.getAttribute('data-layouts'))).toBe(Number(layouts) + 1);
      console.log(`500-job DAG: shown in ${renderMs} ms`);
      expect((page as Page & { problems: string[] }).problems).toEqual([]);
      await context.close();
    } finally {
      await client.setTypeControls('shop.ProcessCatalogPage' as never, { paused: false });
    }
  }, 90_000);

  it('groups failures by type and error on the Failures page, and asks before retrying a group', async () => {
    const { context, page } = await openPage({ withToken: true });
    await page.goto(`${admin.url}/failures`);
    const row = page.getByTestId('failures-table').locator('tbody tr', { hasText: 'shop.ProcessCatalogPage' });
    await row.waitFor();
    expect(await row.textContent()).toContain('page 3: upstream answered 503');
    // Page 3 fails in the nightly workflow and in the 500-job one: one group, two jobs.
    expect(await row.locator('td.num').textContent()).toBe('2');
    await row.getByRole('button', { name: 'Retry group' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading').textContent()).toBe('Retry 2 jobs?');
    await shoot(page, 'failures-confirm-light');
    await dialog.getByRole('button', { name: 'Keep as is' }).click();
    expect((await client.getById(workflow['nightly-page-3']!))?.state).toBe('failed');
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await context.close();
  });

  it('pauses, limits and resumes a job type on the Controls page, each after a confirmation', async () => {
    const { context, page } = await openPage({ withToken: true });
    await page.goto(`${admin.url}/controls`);
    const row = page.getByTestId('controls-table').locator('tbody tr', { hasText: 'demo.Sleep' });
    await row.waitFor();
    expect(await row.locator('.state').textContent()).toBe('running');
    await row.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('dialog').getByRole('heading', { name: 'Pause demo.Sleep?' }).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Pause' }).click();
    await page.getByText('demo.Sleep: paused, no limit.').waitFor();
    await row.locator('.state', { hasText: 'paused' }).waitFor();
    await row.getByLabel('Limit of demo.Sleep').fill('3');
    await row.getByRole('button', { name: 'Set' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
    await page.getByText('demo.Sleep: paused, at most 3 at once.').waitFor();
    await page.getByRole('heading', { name: 'Schedules' }).waitFor();
    await shoot(page, 'controls-paused-light');
    await row.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Resume' }).click();
    await page.getByText('demo.Sleep: running, at most 3 at once.').waitFor();
    const stored = await context.request.get(`${admin.url}/api/job-types/demo.Sleep/controls`).then((response) => response.json());
    expect(stored).toMatchObject({ type: 'demo.Sleep', paused: false, concurrency: 3, rate: null, groupConcurrency: null, sources: { concurrency: 'run-time' } });
    // A limit set here says so, and going back to the code's limits (none declared) removes it.
    expect(await row.getByTestId('limit-source').textContent()).toBe('set at run time');
    await row.getByRole('button', { name: "Use the code's limits" }).click();
    await page.getByRole('dialog').getByRole('heading', { name: "Use the code's limits for demo.Sleep?" }).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
    await page.getByText('demo.Sleep: running, no limit.').waitFor();
    await row.getByRole('button', { name: "Use the code's limits" }).waitFor({ state: 'detached' });
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await context.close();
  });

  it('shows what runs where on the Running page, for how long and how far; the job page shows its progress and log lines live', async () => {
    await client.submit('demo.Sleep' as never, 'long-sleep', { ms: 60_000, report: { lines: 3 } } as never);
    const { context, page } = await openPage();
    await page.goto(`${admin.url}/running`);
    const row = page.getByTestId('running-table').locator('tbody tr', { hasText: 'long-sleep' });
    await row.waitFor({ timeout: 20_000 });
    expect(await page.locator('section[aria-label^="Worker "] h2').first().textContent()).toBe(worker.id);
    expect(await row.textContent()).toContain('demo.Sleep');
    await page.waitForFunction(() => /\d+(\.\d+)? s/.test(document.querySelector('[data-testid=running-for]')?.textContent ?? ''), undefined, { timeout: 10_000 });
    // Progress as the handler reported it (context.progress(0.5, 'halfway')), within a refresh.
    await row.getByTestId('progress').filter({ hasText: '50 % · halfway' }).waitFor({ timeout: 10_000 });
    await shoot(page, 'running-light');
    // The job page, while it runs: the attempt's progress bar and the lines of context.log.
    await row.getByRole('link', { name: 'long-sleep' }).click();
    await page.getByTestId('attempts-table').getByTestId('progress').filter({ hasText: '50 % · halfway' }).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('log-lines').locator('li').allTextContents()).toEqual([
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3}infoline 1 of attempt 1 \{"ms":60000\}$/),
      expect.stringMatching(/infoline 2 of attempt 1$/),
      expect.stringMatching(/infoline 3 of attempt 1$/),
    ]);
    await shoot(page, 'job-running-light');
    expect(await client.cancel('demo.Sleep' as never, 'long-sleep')).toBe(true);
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await context.close();
  });

  it('shows a 600 KiB output as a JSON tree: opens lazily, pages a long array 100 at a time, searches and filters', async () => {
    // A Steam-like app list of 10,000 apps: the fetch's output is ~600 KiB, past the detail's 64 KiB preview.
    const file = path.join(os.tmpdir(), `jobby-e2e-apps-${process.pid}.json`);
    const apps = Array.from({ length: 10_000 }, (_, index) => ({ appid: index, name: `Game ${index} — a subtitle long enough to weigh` }));
    await writeFile(file, JSON.stringify({ applist: { apps } }));
    await client.submit(steamJobs.refs.FetchAppList, 'big-list', { url: pathToFileURL(file).href });
    const deadline = Date.now() + 20_000;
    while ((await client.get(steamJobs.refs.FetchAppList, 'big-list'))?.state !== 'succeeded') {
      if (Date.now() > deadline) throw new Error('steam.FetchAppList:big-list did not succeed');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const job = await client.get(steamJobs.refs.FetchAppList, 'big-list');
    const { context, page } = await openPage();
    await page.goto(`${admin.url}/jobs/${job!.id}`);
    const output = page.getByRole('region', { name: 'Output' });
    const tree = output.getByTestId('json-tree');
    // Fetched whole (it is cut in the detail), shown with its three keys; the 10,000 apps closed.
    await tree.locator('[data-path="$.apps"]').waitFor({ timeout: 15_000 });
    expect(await tree.locator('[data-path="$.apps"]').textContent()).toContain('[ 10,000 items ]');
    expect(await tree.locator('[role=treeitem]').count()).toBe(4);
    const started = Date.now();
    await output.getByRole('button', { name: 'Expand $.apps' }).click();
    await tree.locator('[data-path="$.apps[99]"]').waitFor();
    console.log(`600 KiB output: 100 of 10,000 apps shown ${Date.now() - started} ms after the click`);
    expect(await tree.locator('[data-path="$.apps[100]"]').count()).toBe(0);
    const more = Date.now();
    await output.getByRole('button', { name: 'Show 100 more' }).click();
    await tree.locator('[data-path="$.apps[199]"]').waitFor();
    console.log(`600 KiB output: 100 more apps shown ${Date.now() - more} ms after the click; load average ${os.loadavg()[0]!.toFixed(1)}`);
    expect(await output.locator('.json-more').textContent()).toContain('200 of 10,000 shown');
    // Search: the match deep in the list is found and, with "only matches", is all there is to see.
    await output.getByRole('searchbox', { name: 'Search the output' }).fill('game 9876 ');
    await output.getByTestId('json-match-count').filter({ hasText: '1 match' }).waitFor();
    await output.getByRole('checkbox', { name: 'only matches' }).check();
    await tree.locator('[data-path="$.apps[9876].name"] mark').waitFor();
    expect(await tree.locator('[data-path="$.apps[9876].name"] mark').textContent()).toBe('Game 9876');
    expect(await tree.locator('[role=treeitem]').count()).toBe(4);
    await shoot(page, 'job-output-tree-light');
    // The text view and the raw download stay.
    await output.getByRole('button', { name: 'Text' }).click();
    expect(await output.locator('pre.code').textContent()).toContain('"apps"');
    expect(await output.getByRole('link', { name: 'download', exact: true }).getAttribute('href')).toBe(`/api/jobs/${job!.id}/output`);
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await context.close();
  });

  it('retries a failed job: it succeeds, and the job it had cancelled runs too', async () => {
    const { context, page } = await openPage({ withToken: true });
    // The job its failure cancelled: the error's details as a JSON tree, naming the failed dependency.
    await page.goto(`${admin.url}/jobs/${workflow['nightly-stats']}`);
    await untilHeaderState(page, 'cancelled');
    expect(await page.locator('.card-error [data-path="$.dependencyId"]').textContent()).toContain(`"${workflow['nightly-page-3']}"`);
    await page.goto(`${admin.url}/jobs/${workflow['nightly-page-3']}`);
    await untilHeaderState(page, 'failed');
    expect(await page.locator('.card-error').textContent()).toContain('upstream answered 503');
    expect(await page.getByTestId('attempts-table').textContent()).toContain('failed');
    await shoot(page, 'job-failed-light');
    shopControl.failingPages.clear();
    // Retry asks first, as Cancel does; "Keep as is" changes nothing.
    await page.getByRole('button', { name: 'Retry' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading').textContent()).toBe(`Retry job ${workflow['nightly-page-3']}?`);
    await dialog.getByRole('button', { name: 'Keep as is' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await headerState(page)).toBe('failed');
    await page.getByRole('button', { name: 'Retry' }).click();
    await shoot(page, 'job-retry-confirm-light');
    await page.getByRole('dialog').getByRole('button', { name: 'Retry' }).click();
    await page.getByText('will run again').waitFor();
    await untilHeaderState(page, 'succeeded');
    const attempts = await page.getByTestId('attempts-table').textContent();
    expect(attempts).toContain('failed');
    expect(attempts).toContain('succeeded');
    // The retry's attempt keeps counting: #1 failed, then #2 (run again) succeeded; never two #1.
    const numbers = await page.locator('[data-testid=attempts-table] tbody tr td:first-child').allTextContents();
    expect(numbers).toEqual(['#1', 'run again#2']);
    // Who retried it, in the job's audit trail.
    await page.getByTestId('audit-table').waitFor();
    expect(await page.getByTestId('audit-table').locator('tbody tr').first().textContent()).toMatch(/operator.*retried/);
    await shoot(page, 'job-retried-audit-light');
    await page.goto(`${admin.url}/jobs/${workflow['nightly-stats']}`);
    await untilHeaderState(page, 'succeeded');
    expect(await headerState(page)).toBe('succeeded');
    await context.close();
  });

  it('lists jobs with filters, selects and bulk-cancels, in light and dark', async () => {
    const later = new Date(Date.now() + 3_600_000);
    for (let index = 0; index < 3; index++) await client.submit('demo.Produce' as never, `scheduled-${index}`, { value: index } as never, { runAt: later } as never);
    for (const dark of [false, true]) {
      const { context, page } = await openPage({ dark, withToken: true });
      await page.goto(`${admin.url}/jobs?keyPrefix=scheduled-&state=queued`);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=jobs-table] tbody tr').length === 3 || document.querySelector('.empty') !== null);
      if (!dark) {
        await page.getByLabel('Select all on this page').check();
        await page.getByRole('button', { name: 'Cancel selected' }).click();
        const dialog = page.getByRole('dialog');
        expect(await dialog.getByRole('heading').textContent()).toBe('Cancel 3 jobs?');
        await dialog.getByRole('button', { name: 'Cancel 3 jobs' }).click();
        await page.getByText('Cancelled 3 of 3 jobs.').waitFor();
        await page.goto(`${admin.url}/jobs`);
      } else {
        await page.goto(`${admin.url}/jobs`);
      }
      await page.getByTestId('jobs-table').waitFor();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=jobs-table] tbody tr').length > 5);
      await shoot(page, `jobs-${dark ? 'dark' : 'light'}`);
      await page.goto(`${admin.url}/types/shop.ProcessCatalogPage`);
      await page.getByTestId('type-stats').waitFor();
      await shoot(page, `type-${dark ? 'dark' : 'light'}`);
      await context.close();
    }
    for (let index = 0; index < 3; index++) expect((await client.get('demo.Produce' as never, `scheduled-${index}`))?.state).toBe('cancelled');
  });

  it('selects all jobs matching a filter across pages, confirms with their number, and cancels them server-side', async () => {
    const later = new Date(Date.now() + 3_600_000);
    await client.submitMany(Array.from({ length: 57 }, (_, index) => ({ type: 'demo.Produce', key: `matching-${index}`, input: { value: index }, options: { runAt: later } })) as never);
    const { context, page } = await openPage({ withToken: true });
    // The scheduled filter (queued jobs waiting for their run-at time), each labelled with when it runs.
    await page.goto(`${admin.url}/jobs?keyPrefix=matching-&state=scheduled`);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=jobs-table] tbody tr').length === 50);
    expect(await page.locator('[data-testid=jobs-table] tbody tr .state').first().textContent()).toMatch(/^scheduled · in (60 min|1 h)$/);
    expect(await page.getByLabel('scheduled').isChecked()).toBe(true);
    await page.getByLabel('Select all on this page').check();
    await page.getByRole('button', { name: 'Select all jobs matching this filter' }).click();
    await page.getByText('All 57 jobs matching this filter are selected.').waitFor();
    expect(await page.getByTestId('selection-count').textContent()).toBe('all 57 matching selected');
    await page.getByRole('button', { name: 'Cancel selected' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading').textContent()).toBe('Cancel 57 jobs?');
    expect(await dialog.textContent()).toContain('Every job matching this filter');
    await shoot(page, 'jobs-cancel-all-matching-light');
    await dialog.getByRole('button', { name: 'Cancel 57 jobs' }).click();
    await page.getByText('Cancelled 57 of 57 jobs.').waitFor();
    const left = await client.get('demo.Produce' as never, 'matching-0');
    expect(left?.state).toBe('cancelled');
    expect((await client.get('demo.Produce' as never, 'matching-56'))?.state).toBe('cancelled');
    await context.close();
  });

  /** Every page, with what shows that it has its data. */
  const everyPage = () => [
    { name: 'overview', path: '/', ready: '[data-testid=types-table]' },
    { name: 'jobs', path: '/jobs', ready: '[data-testid=jobs-table] tbody tr' },
    { name: 'job', path: `/jobs/${workflow['nightly-page-1']}`, ready: '[data-testid=attempts-table]' },
    { name: 'graph', path: `/jobs/${workflow['nightly-stats']}/graph`, ready: '.react-flow__node' },
    { name: 'submit', path: '/submit?type=shop.FetchCatalog', ready: '#submit-key' },
    { name: 'type', path: '/types/shop.ProcessCatalogPage', ready: '[data-testid=type-stats]' },
    { name: 'failures', path: '/failures', ready: '[data-testid=failures-table], .notice-success' },
    { name: 'controls', path: '/controls', ready: '[data-testid=controls-table]' },
    { name: 'running', path: '/running', ready: '[data-testid=running-table], .notice' },
  ];

  it('loads each page with its own code, compressed and without source maps; the graph libraries only on the workflow page', async () => {
    const report: string[] = [];
    for (const entry of everyPage()) {
      const { context, page } = await openPage();
      await page.goto(`${admin.url}${entry.path}`);
      await page.locator(entry.ready).first().waitFor();
      const scripts = (await page.evaluate(() => performance.getEntriesByType('resource').map(({ name, encodedBodySize, decodedBodySize }) => ({ name, encodedBodySize, decodedBodySize })))).filter((resource) => resource.name.endsWith('.js'));
      expect(scripts.length).toBeGreaterThan(0);
      for (const script of scripts) expect(script.encodedBodySize, script.name).toBeLessThan(script.decodedBodySize / 2);
      const graphChunk = scripts.some((script) => /\/graph-page-[^/]+\.js$/.test(script.name));
      expect(graphChunk, entry.name).toBe(entry.name === 'graph');
      const sent = scripts.reduce((sum, script) => sum + script.encodedBodySize, 0);
      const raw = scripts.reduce((sum, script) => sum + script.decodedBodySize, 0);
      report.push(`${entry.name} ${(sent / 1024).toFixed(1)} KiB sent (${(raw / 1024).toFixed(1)} KiB raw, ${scripts.length} files)`);
      for (const script of scripts) {
        const response = await context.request.get(script.name);
        expect(await response.text()).not.toContain('sourceMappingURL');
      }
      await context.close();
    }
    console.log(`initial JS per page (brotli): ${report.join('; ')}`);
  });

  it('fits every page from phone to wide screen: the jobs table in its card at 1440 px, nothing sideways at 390 px (screenshots light, dark, 390 px)', async () => {
    for (const variant of [{ suffix: 'light', dark: false, width: 1440 }, { suffix: 'dark', dark: true, width: 1440 }, { suffix: '390', dark: false, width: 390 }]) {
      const { context, page } = await openPage({ dark: variant.dark, width: variant.width });
      for (const entry of everyPage()) {
        await page.goto(`${admin.url}${entry.path}`);
        await page.locator(entry.ready).first().waitFor();
        await page.waitForTimeout(entry.name === 'graph' ? 300 : 50);
        const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
        expect(scrollWidth, `${entry.name} at ${variant.width} px`).toBeLessThanOrEqual(clientWidth);
        if (entry.name === 'jobs' && variant.width === 1440) {
          const edges = await page.evaluate(() => ({
            card: document.querySelector('.table-card')!.getBoundingClientRect().right,
            error: document.querySelector('[data-testid=jobs-table] thead th:last-child')!.getBoundingClientRect().right,
          }));
          expect(await page.locator('[data-testid=jobs-table] thead th').last().textContent()).toBe('Error');
          expect(edges.error).toBeLessThanOrEqual(edges.card);
        }
        await shoot(page, `page-${entry.name}-${variant.suffix}`);
      }
      expect((page as Page & { problems: string[] }).problems).toEqual([]);
      await context.close();
    }
  }, 240_000);

  it('says so on the page when changes are open on the embedded quick start', async () => {
    const embedded = await startAdminServer({ database, registry: e2eRegistry, token: '', embedded: true, logger: createLogger({ level: 'silent' }) });
    try {
      const { context, page } = await openPage();
      await page.goto(`${embedded.url}/jobs`);
      await page.getByText('Changes are open without a token').waitFor();
      await shoot(page, 'embedded-banner-light');
      await context.close();
    } finally {
      await embedded.close();
    }
  });

  it('lists workflow runs newest first with their states, each opening its graph (issue 20)', async () => {
    const { context, page } = await openPage();
    await page.goto(`${admin.url}/workflows`);
    const firstRun = page.locator('[data-testid="workflows-table"] tbody tr').first();
    await firstRun.waitFor();
    expect(await firstRun.locator('.state').count()).toBeGreaterThan(0);
    await firstRun.getByRole('link').first().click();
    await page.waitForURL(/\/jobs\/\d+\/graph$/);
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await context.close();
  });

  it('updates the jobs list live from the event stream, and not while paused (issue 20)', async () => {
    const { context, page } = await openPage({ withToken: true });
    const later = new Date(Date.now() + 3_600_000);
    await page.goto(`${admin.url}/jobs?keyPrefix=live-e2e-`);
    await page.locator('.live-toggle .dot-live').waitFor();
    await client.submit('demo.Produce' as never, 'live-e2e-1', { value: 1 } as never, { runAt: later } as never);
    // Live, the page's fallback poll is 30 s: only the event stream brings the job within 5 s.
    await page.getByText('live-e2e-1', { exact: true }).waitFor({ timeout: 5_000 });
    await page.getByRole('button', { name: 'Live' }).click();
    await page.getByRole('button', { name: 'Paused' }).waitFor();
    await client.submit('demo.Produce' as never, 'live-e2e-2', { value: 2 } as never, { runAt: later } as never);
    await page.waitForTimeout(2_500);
    expect(await page.getByText('live-e2e-2', { exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Paused' }).click();
    await page.getByText('live-e2e-2', { exact: true }).waitFor({ timeout: 5_000 });
    expect((page as Page & { problems: string[] }).problems).toEqual([]);
    await context.close();
  });

  it('beyond loopback asks for a token before showing anything, and reads with the read-only token (issue 20)', async () => {
    const exposed = await startAdminServer({ database, registry: e2eRegistry, host: '0.0.0.0', token, readToken: 'e2e-read-token', logger: createLogger({ level: 'silent' }) });
    try {
      const { context, page } = await openPage();
      await page.goto(`http://127.0.0.1:${exposed.port}/jobs`);
      await page.getByText('This server needs a token to show anything').waitFor();
      await page.getByRole('button', { name: 'Enter token' }).click();
      await page.getByPlaceholder('admin token (read or operator)').fill('e2e-read-token');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('button', { name: 'Token set · read-only' }).waitFor();
      await page.locator('table tbody tr').first().waitFor();
      expect(await page.getByText('This server needs a token to show anything').count()).toBe(0);
      await context.close();
    } finally {
      await exposed.close();
    }
  });
});
