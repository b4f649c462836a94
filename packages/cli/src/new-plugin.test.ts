import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { testPostgresUrl } from '@jobby/core/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobDetailJson } from './job-json.js';
import { collect, repositoryRoot, runJobby, spawnJobby, until, untilJobFinal } from './testing/run-jobby.js';

/*
 * `jobby new plugin` end to end, in a minimal project of its own: the command writes the package,
 * wires it in, runs `npm install` (offline: the only new package is the plugin itself) and codegen;
 * then `jobby worker --jobs-mode local` runs the plugin's example job to success with no other
 * step, the generated package type-checks and its own test passes. The project lives under this
 * repository's node_modules/.cache so that Node finds tsx, vitest and the core's dependencies by
 * walking up, as it would in a real install; @jobby/core is a `file:` link to this repository's.
 */

const cacheRoot = path.join(repositoryRoot, 'node_modules/.cache');
const schemas: string[] = [];
const projects: string[] = [];

afterAll(async () => {
  for (const project of projects) rmSync(project, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: testPostgresUrl() });
  await client.connect();
  for (const schema of schemas) await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
});

type Layout = 'monorepo' | 'application';

/** A project like this monorepo (the worker program in packages/worker) or like an application (in the root package). */
function createProject(layout: Layout): string {
  mkdirSync(cacheRoot, { recursive: true });
  const root = path.join(cacheRoot, `jobby-new-plugin-${randomBytes(4).toString('hex')}`);
  projects.push(root);
  mkdirSync(root);
  const write = (file: string, value: unknown) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), typeof value === 'string' ? value : `${JSON.stringify(value, null, 2)}\n`);
  };
  const core = { '@jobby/core': `file:${path.join(repositoryRoot, 'packages/core')}` };
  if (layout === 'monorepo') {
    write('package.json', { name: 'acme-monorepo', private: true, type: 'module', workspaces: ['packages/*', 'plugins/*'], dependencies: core, jobby: { outDir: 'packages/worker/src/generated' } });
    write('packages/worker/package.json', { name: '@acme/worker', version: '0.1.0', private: true, type: 'module', dependencies: { '@jobby/core': '0.1.0' } });
  } else {
    write('package.json', { name: '@acme/app', version: '1.0.0', private: true, type: 'module', dependencies: core });
  }
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund'], { cwd: root, stdio: 'pipe' });
  return root;
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/**
 * Removes the plugin again: its jobs are orphaned. They are shown and listed by the name
 * jobby.lock.json keeps (the plugin marked removed), can be cancelled but not run again, and the
 * worker warns about them at start.
 */
async function removeThePlugin(root: string, jobby: (...args: string[]) => ReturnType<typeof runJobby>, env: Record<string, string>): Promise<void> {
  rmSync(path.join(root, 'plugins/billing'), { recursive: true });
  const workerFile = path.join(root, 'packages/worker/package.json');
  const workerPackage = readJson(workerFile) as { dependencies: Record<string, string> };
  delete workerPackage.dependencies['@acme/billing'];
  writeFileSync(workerFile, JSON.stringify(workerPackage, null, 2));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund'], { cwd: root, stdio: 'pipe' });
  expect(await jobby('codegen')).toMatchObject({ code: 0 });
  expect(readJson(path.join(root, 'jobby.lock.json'))).toMatchObject({ plugins: { billing: { removed: true, tombstones: { Greet: 1000 } } } });

  const shown = await jobby('jobs', 'show', 'billing.Greet', 'example', '--json');
  expect(shown.code).toBe(0);
  expect(JSON.parse(shown.stdout)).toMatchObject({ type: 'billing.Greet', key: 'example', state: 'succeeded' });
  const listed = JSON.parse((await jobby('jobs', 'list', '--type', 'billing.Greet', '--json')).stdout) as { type: string; key: string }[];
  expect(listed.map((job) => `${job.type}:${job.key}`)).toEqual(['billing.Greet:later', 'billing.Greet:example']);
  const retried = await jobby('jobs', 'retry', 'billing.Greet', 'example');
  expect(retried).toMatchObject({ code: 2, stderr: 'jobby jobs retry: billing.Greet is a removed job type (plugin removed in jobby.lock.json): its jobs can be listed, shown and cancelled, not run again\n' });

  const worker = spawnJobby(['worker', '--jobs-mode', 'none'], { env, cwd: root });
  const exited = collect(worker);
  let logs = '';
  worker.stderr!.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  try {
    await until('the warning about orphaned jobs', async () => logs.includes('unfinished job(s) of job types no longer in the registry will never run: billing.Greet (id 1000): 1.'));
  } finally {
    worker.kill('SIGTERM');
  }
  await exited;
  const cancelled = await jobby('jobs', 'cancel', 'billing.Greet', 'later');
  expect(cancelled).toMatchObject({ code: 0, stdout: 'cancelled billing.Greet:later (1 job)\n' });
}

describe.each<Layout>(['monorepo', 'application'])('jobby new plugin in a %s', (layout) => {
  it('writes a complete plugin, wires it in, and jobby worker --jobs-mode local then runs its example job', async () => {
    const root = createProject(layout);
    const schema = `newplugin_${randomBytes(5).toString('hex')}`;
    schemas.push(schema);
    const env = { DATABASE_URL: testPostgresUrl(), JOBBY_SCHEMA: schema, npm_config_offline: 'true' };
    const jobby = (...args: string[]) => runJobby(args, { env, cwd: root });

    const created = await jobby('new', 'plugin', 'billing');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('jobby new plugin: wrote plugins/billing/ (@acme/billing)');
    expect(created.stdout).toMatch(/billing\.Greet is in the registry .* Next: npx jobby worker --jobs-mode local/);

    const plugin = path.join(root, 'plugins/billing');
    const packageJson = readJson(path.join(plugin, 'package.json'));
    expect(packageJson).toMatchObject({
      name: '@acme/billing',
      type: 'module',
      exports: { '.': { '@jobby/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' } },
      files: ['dist', '!dist/**/*.test.*'],
      jobby: { plugin: 'billing' },
      peerDependencies: { '@jobby/core': '^0.1.0' },
    });
    for (const file of ['README.md', 'tsconfig.json', 'tsconfig.build.json', 'vitest.config.ts', 'src/index.ts', 'src/jobs.ts', 'src/billing-module.ts', 'src/billing.test.ts']) {
      expect(existsSync(path.join(plugin, file)), file).toBe(true);
    }
    const workerPackage = layout === 'monorepo' ? 'packages/worker/package.json' : 'package.json';
    expect(readJson(path.join(root, workerPackage))['dependencies']).toMatchObject({ '@acme/billing': '0.1.0' });
    if (layout === 'application') expect(readJson(path.join(root, 'package.json'))['workspaces']).toEqual(['plugins/billing']);
    expect(readJson(path.join(root, 'jobby.lock.json'))).toMatchObject({ plugins: { billing: { clientId: 1, jobTypes: { Greet: 1000 } } } });
    expect(existsSync(path.join(root, 'node_modules/@acme/billing/package.json'))).toBe(true);

    // A dist/ left by some earlier build must not shadow the sources (the worker used to run it).
    mkdirSync(path.join(plugin, 'dist'));
    writeFileSync(path.join(plugin, 'dist/index.js'), "throw new Error('the stale dist/ was loaded instead of the sources');\n");

    expect(await jobby('migrate')).toMatchObject({ code: 0 });
    const worker = spawnJobby(['worker', '--jobs-mode', 'local'], { env, cwd: root });
    const exited = collect(worker);
    try {
      expect(await untilJobFinal(env, 'billing.Greet', 'example')).toBe('succeeded');
      const done = JSON.parse((await jobby('jobs', 'show', 'billing.Greet', 'example', '--json')).stdout) as JobDetailJson;
      expect(done).toMatchObject({ type: 'billing.Greet', key: 'example', attempts: 1, output: { greeting: 'Hello, world!' } });
      expect(await jobby('submit', 'billing.Greet', 'later', '--input', '{"name":"Ada"}', '--run-at', '2099-01-01T00:00:00Z')).toMatchObject({ code: 0 });
    } finally {
      worker.kill('SIGTERM');
    }
    expect((await exited).code).toBe(0);

    // The package stands on its own: it type-checks and its test passes.
    execFileSync(process.execPath, [path.join(repositoryRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: plugin, stdio: 'pipe' });
    const tested = execFileSync(process.execPath, [path.join(repositoryRoot, 'node_modules/vitest/vitest.mjs'), 'run'], { cwd: plugin, encoding: 'utf8', stdio: 'pipe' });
    expect(tested).toMatch(/1 passed/);

    if (layout === 'monorepo') await removeThePlugin(root, jobby, env);
  }, 480_000);
});

describe('jobby new plugin refuses, with one line and exit code 2, writing nothing', () => {
  it('an invalid name, a taken name and an existing directory', async () => {
    const root = createProject('monorepo');
    const env = { npm_config_offline: 'true' };
    const jobby = (...args: string[]) => runJobby(args, { env, cwd: root });
    mkdirSync(path.join(root, 'plugins/taken/src'), { recursive: true });
    writeFileSync(path.join(root, 'plugins/taken/package.json'), JSON.stringify({ name: '@acme/taken', version: '0.1.0', type: 'module', jobby: { plugin: 'shop' } }));
    const before = readFileSync(path.join(root, 'package.json'), 'utf8') + readFileSync(path.join(root, 'packages/worker/package.json'), 'utf8');
    const cases: [string[], RegExp][] = [
      [['new', 'plugin', 'Billing'], /^jobby new plugin: <name> must be lowercase letters, digits, - and _, starting with a letter \(job types are named <name>\.Job\), got "Billing"$/],
      [['new', 'plugin', 'shop'], /^jobby new plugin: <name>: plugin "shop" already exists: @acme\/taken \(plugins\/taken\); pick another name$/],
      [['new', 'plugin', 'orders', '--dir', 'plugins/taken'], /^jobby new plugin: --dir: plugins\/taken already exists; pick another --dir or remove it$/],
      [['new', 'plugin', 'taken', '--dir', 'plugins/other'], /^jobby new plugin: --package: @acme\/taken is already a package of this project; pass another --package$/],
    ];
    for (const [argv, message] of cases) {
      const result = await jobby(...argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stdout, argv.join(' ')).toBe('');
      expect(result.stderr.trimEnd().split('\n'), argv.join(' ')).toEqual([expect.stringMatching(message)]);
    }
    expect(readFileSync(path.join(root, 'package.json'), 'utf8') + readFileSync(path.join(root, 'packages/worker/package.json'), 'utf8')).toBe(before);
    expect(existsSync(path.join(root, 'plugins/billing'))).toBe(false);
    expect(existsSync(path.join(root, 'plugins/orders'))).toBe(false);
    expect(existsSync(path.join(root, 'plugins/other'))).toBe(false);
  });
});
