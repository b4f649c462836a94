import { spawn } from 'node:child_process';
import path from 'node:path';
import { Command } from 'commander';
import { resolveWorkerOptions, workerOptionSpecs } from '@jobby/core';
import { describe, expect, it } from 'vitest';
import { addWorkerOptions, createCommandTree } from './command-tree.mjs';
import { runCli } from './program.js';
import { collect, repositoryRoot } from './testing/run-jobby.js';
import { workerOptionsFromFlags } from './worker-flags.js';

/*
 * The worker's options are declared once, in core's `workerOptionSpecs`: the flags of `jobby
 * worker` and of the generated worker program, their help, their parsing and core's own types,
 * defaults and checks all come from it.
 */

const declaredFlags = Object.values(workerOptionSpecs).flatMap((spec) => ('flag' in spec ? [spec.flag] : []));
const flagsOf = (command: Command) => command.options.map((option) => option.flags);

async function inProcess(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), cwd: process.cwd() });
  return { code, stdout, stderr };
}

describe('the worker flags', () => {
  it('are the command-line options of core’s one declaration, in jobby worker and in the generated worker program', () => {
    const worker = createCommandTree().commands.get('worker')!;
    expect(flagsOf(worker)).toEqual([...declaredFlags, '--admin-port <port>']);
    expect(flagsOf(addWorkerOptions(new Command('worker')))).toEqual(declaredFlags);
    expect(declaredFlags).toEqual([
      '--concurrency <n>', '--prefetch <n>', '--plugins <a,b>', '--workers-mode <mode>', '--jobs-mode <mode>', '--lease-seconds <n>', '--grace-ms <n>',
      '--metrics-port <port>', '--schema <name>', '--config <file>', '--data-dir <dir>', '--skip-migrate',
    ]);
  });

  it('parse into core’s worker options, which core accepts as they are', () => {
    const command = addWorkerOptions(new Command('worker')).parse(
      ['--concurrency', '4', '--prefetch', '20', '--plugins', 'steam, email', '--workers-mode', 'local', '--jobs-mode', 'none', '--lease-seconds', '10',
        '--grace-ms', '500', '--metrics-port', '0', '--schema', 'custom', '--config', 'x.json', '--data-dir', 'd', '--skip-migrate'],
      { from: 'user' },
    );
    const options = workerOptionsFromFlags(command.opts());
    expect(options).toEqual({
      concurrency: 4, prefetch: 20, plugins: ['steam', 'email'], workersMode: 'local', jobsMode: 'none', leaseSeconds: 10, shutdownGraceMs: 500,
      metricsPort: 0, schema: 'custom', configFile: 'x.json', dataDirectory: 'd', skipMigrate: true,
    });
    expect(resolveWorkerOptions(options)).toMatchObject({ ...options, pollIntervalMs: 2_000 });
    expect(workerOptionsFromFlags({})).toEqual({});
  });

  it('refuse a bad value with one line naming the flag, what it must be and the value, exit 2', async () => {
    expect(() => workerOptionsFromFlags({ concurrency: 'ten' })).toThrow('--concurrency must be an integer ≥ 1, got "ten"');
    expect(() => workerOptionsFromFlags({ leaseSeconds: '1' })).toThrow('--lease-seconds must be an integer ≥ 2, got "1"');
    expect(() => workerOptionsFromFlags({ graceMs: '-5' })).toThrow('--grace-ms must be an integer ≥ 0, got "-5"');
    expect(() => workerOptionsFromFlags({ jobsMode: 'sometimes' })).toThrow('--jobs-mode must be none, local or production, got "sometimes"');
    for (const [argv, message] of [
      [['worker', '--concurrency', '0'], 'jobby worker: --concurrency must be an integer ≥ 1, got "0"'],
      [['worker', '--workers-mode', 'all'], 'jobby worker: --workers-mode must be none, local or production, got "all"'],
      [['worker', '--nope'], "jobby worker: unknown option '--nope'"],
    ] as const) {
      expect(await inProcess([...argv])).toEqual({ code: 2, stdout: '', stderr: `${message}\n` });
    }
  });
});

describe('the generated worker program', () => {
  const entry = path.join(repositoryRoot, 'packages/worker/src/generated/worker.ts');
  const run = (...argv: string[]) =>
    collect(spawn(process.execPath, ['--conditions=@jobby/source', '--import', 'tsx', entry, ...argv], { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] }));

  it('answers --help with the same flags, less --admin-port', async () => {
    const result = await run('--help');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    for (const flag of declaredFlags) expect(result.stdout).toContain(flag);
    expect(result.stdout).not.toContain('--admin-port');
    expect(result.stdout).toContain('DATABASE_URL selects Postgres');
  });

  it('refuses a bad flag with one line and exit 2, before touching a database', async () => {
    expect(await run('--concurrency', 'ten')).toMatchObject({ code: 2, stdout: '', stderr: 'error: --concurrency must be an integer ≥ 1, got "ten"\nRun with --help for usage.\n' });
    expect(await run('--nope')).toMatchObject({ code: 2, stderr: "error: unknown option '--nope'\nRun with --help for usage.\n" });
  });
});
