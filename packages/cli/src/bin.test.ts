import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { testPostgresUrl } from '@jobby/core/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './program.js';
import { collect, jobbyBin, repositoryRoot, until } from './testing/run-jobby.js';

/*
 * The bin as a process: what `--help` loads (it was ~2 s because every command's imports were
 * loaded through tsx first), and that a SIGTERM to `npx jobby worker` stops the worker instead of
 * orphaning it.
 */

/** Registers a resolve hook that reports every module URL the process resolves on stderr. */
const traceModules = `data:text/javascript,${encodeURIComponent(`
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => process.stderr.write('resolved ' + url + '\\n'));
port1.unref();
register('data:text/javascript,' + encodeURIComponent('let port; export function initialize(data) { port = data.port; } export async function resolve(s, c, n) { const r = await n(s, c); port.postMessage(r.url); return r; }'), import.meta.url, { data: { port: port2 }, transferList: [port2] });
`)}`;

async function inProcessHelp(argv: string[]): Promise<string> {
  let stdout = '';
  await runCli(argv, { stdout: (text) => void (stdout += text), stderr: () => {}, cwd: repositoryRoot });
  return stdout;
}

describe('jobby --help', () => {
  it('loads commander, the command tree and core’s worker options table only, and prints what the full program prints', async () => {
    for (const argv of [['--help'], ['submit', '--help'], ['jobs', 'cancel', '-h'], ['help', 'new']]) {
      const child = spawn(process.execPath, ['--import', traceModules, jobbyBin, ...argv], { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      const result = await collect(child);
      expect(result.code, argv.join(' ')).toBe(0);
      const loaded = result.stderr
        .split('\n')
        .filter((line) => line.startsWith('resolved '))
        .map((line) => line.slice('resolved '.length).replace(`file://${repositoryRoot}`, ''))
        .filter((url) => !url.startsWith('node:'));
      expect(loaded.filter((url) => !url.startsWith('node_modules/commander/')), argv.join(' ')).toEqual([
        'packages/cli/bin/jobby.js',
        // In a checkout, the hook that resolves workspace packages to their sources (for the table below).
        'packages/cli/bin/source-condition.mjs',
        'packages/cli/src/command-tree.mjs',
        'packages/core/src/runtime/worker/worker-option-specs.mjs',
      ]);
      expect(result.stdout, argv.join(' ')).toBe(await inProcessHelp(argv));
    }
  });
});

describe('npx jobby worker', () => {
  const schema = `bin_${randomBytes(5).toString('hex')}`;
  afterAll(async () => {
    const client = new pg.Client({ connectionString: testPostgresUrl() });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  });

  it('stops gracefully when the npx process gets SIGTERM, leaving no worker behind', async () => {
    // npx runs `sh -c jobby …`, and the shell does not pass SIGTERM on: the worker used to live on.
    const npx = spawn('npx', ['--no-install', 'jobby', 'worker', '--jobs-mode', 'none'], {
      cwd: repositoryRoot,
      env: { ...process.env, DATABASE_URL: testPostgresUrl(), JOBBY_SCHEMA: schema, JOBBY_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = collect(npx);
    let logs = '';
    npx.stderr!.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    const workerPid = await until('the worker to be ready', async () => {
      const ready = logs.split('\n').find((line) => line.includes('"msg":"worker ready"'));
      return ready ? (JSON.parse(ready) as { pid: number }).pid : undefined;
    });
    expect(workerPid).not.toBe(npx.pid);
    npx.kill('SIGTERM');
    await exited;
    const gone = await until(
      'the worker process to exit',
      async () => {
        try {
          process.kill(workerPid, 0);
          return false;
        } catch {
          return true;
        }
      },
      20_000,
    );
    expect(gone).toBe(true);
  });
});
