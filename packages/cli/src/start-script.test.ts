import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { testPostgresUrl } from '@jobby/core/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { collect, repositoryRoot, until } from './testing/run-jobby.js';

/*
 * `npm start` (scripts/start.mjs) and Ctrl-C. The terminal sends SIGINT to the whole foreground
 * process group; the script and its worker stop gracefully and exit 0. npm itself then exits 130
 * whatever its script did (its own code for an interrupted script), and the README says so.
 */

const schema = `start_${randomBytes(5).toString('hex')}`;
afterAll(async () => {
  const client = new pg.Client({ connectionString: testPostgresUrl() });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
});

describe('scripts/start.mjs', () => {
  it('runs the sentinel workflow, and Ctrl-C (SIGINT to the process group) stops it with exit code 0', async () => {
    const child = spawn(process.execPath, [path.join(repositoryRoot, 'scripts/start.mjs'), '--admin-port', '0'], {
      cwd: repositoryRoot,
      env: { ...process.env, DATABASE_URL: testPostgresUrl(), JOBBY_SCHEMA: schema },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const exited = collect(child);
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await until('the sentinel workflow', async () => stdout.includes('steam sentinel workflow succeeded'), 240_000);
    process.kill(-child.pid!, 'SIGINT');
    const result = await exited;
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
  }, 300_000);

  it('is described truthfully in the README', () => {
    const readme = readFileSync(path.join(repositoryRoot, 'README.md'), 'utf8');
    expect(readme).toContain('npm itself then exits with 130');
  });
});
