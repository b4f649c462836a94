import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { testPostgresUrl } from '@jobby/core/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobDetailJson } from './job-json.js';
import { collect, runJobby, spawnJobby, untilJobFinal } from './testing/run-jobby.js';
import { stagePackage } from './testing/stage-package.js';

/*
 * Independent publishing, end to end (slow, ~1–2 min): build @jobby/core, @jobby/codegen,
 * @jobby/admin, @jobby/cli and @jobby/steam with tsc into staging copies (the workspace's own dist
 * folders are left alone: bin/jobby.js would prefer them), `npm pack` each, install the tarballs
 * into a fresh project outside the workspace, and run `jobby codegen`, `jobby migrate` and
 * `jobby worker --jobs-mode local` there against Postgres.
 */

const packages = ['packages/core', 'tools/codegen', 'packages/admin', 'packages/cli', 'plugins/steam'];
const schema = `pack_${randomBytes(5).toString('hex')}`;
const work = mkdtempSync(path.join(os.tmpdir(), 'jobby-publish-'));

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: testPostgresUrl() });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
});

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
}

describe('published packages', () => {
  it('install into a fresh project, generate its registry, migrate and run the plugin’s jobs', async () => {
    const tarballs: string[] = [];
    for (const relative of packages) {
      const stage = path.join(work, 'stage', path.basename(relative));
      // Without src/: the published package must work from dist/ alone.
      stagePackage({ relative, stage, withSources: false });
      const before = new Set(readdirSync(work));
      npm(['pack', '--ignore-scripts', '--pack-destination', work], stage);
      tarballs.push(...readdirSync(work).filter((name) => name.endsWith('.tgz') && !before.has(name)).map((name) => path.join(work, name)));
    }
    expect(tarballs.map((file) => path.basename(file)).sort()).toEqual(['jobby-admin-0.1.0.tgz', 'jobby-cli-0.1.0.tgz', 'jobby-codegen-0.1.0.tgz', 'jobby-core-0.1.0.tgz', 'jobby-steam-0.1.0.tgz']);

    const app = path.join(work, 'app');
    mkdirSync(app);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }, null, 2));
    try {
      npm(['install', '--offline', '--no-audit', '--no-fund', ...tarballs], app);
    } catch {
      npm(['install', '--no-audit', '--no-fund', ...tarballs], app); // a transitive dependency missing from the cache
    }
    const bin = path.join(app, 'node_modules/@jobby/cli/bin/jobby.js');
    const env = { DATABASE_URL: testPostgresUrl(), JOBBY_SCHEMA: schema };
    const jobby = (...args: string[]) => runJobby(args, { env, cwd: app, bin });

    const generated = await jobby('codegen');
    expect(generated.stderr).toBe('');
    expect(generated).toMatchObject({ code: 0 });
    expect(generated.stdout).toMatch(/^jobby codegen: 1 plugin\(s\), 2 job type\(s\)/);
    expect(readdirSync(path.join(app, 'generated/jobby')).sort()).toEqual(['job-types.ts', 'registry.ts', 'schemas', 'worker.ts']);
    expect(await jobby('migrate')).toMatchObject({ code: 0, stderr: '' });

    const worker = spawnJobby(['worker', '--jobs-mode', 'local'], { env, cwd: app, bin });
    const exited = collect(worker);
    try {
      expect(await untilJobFinal(env, 'steam.ProcessAppList', 'sentinel')).toBe('succeeded');
      const done = JSON.parse((await jobby('jobs', 'show', 'steam.ProcessAppList', 'sentinel', '--json')).stdout) as JobDetailJson;
      expect(done.output).toMatchObject({ total: 31, unique: 30 });
      expect(done.dependencies).toEqual([{ type: 'steam.FetchAppList', key: 'sentinel', state: 'succeeded' }]);
    } finally {
      worker.kill('SIGTERM');
    }
    expect((await exited).code).toBe(0);
  });
});
