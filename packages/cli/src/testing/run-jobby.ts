import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { until as waitUntil } from '@jobby/core/testing';

/** Spawning the `jobby` bin as a user would, for the CLI's tests. */

export const jobbyBin = fileURLToPath(new URL('../../bin/jobby.js', import.meta.url));
export const repositoryRoot = fileURLToPath(new URL('../../../..', import.meta.url));

export interface JobbyResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function spawnJobby(args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd?: string; bin?: string }): ChildProcess {
  return spawn(process.execPath, [options.bin ?? jobbyBin, ...args], {
    cwd: options.cwd ?? repositoryRoot,
    env: { ...process.env, JOBBY_LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function collect(child: ChildProcess): Promise<JobbyResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function runJobby(args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd?: string; bin?: string }): Promise<JobbyResult> {
  return collect(spawnJobby(args, options));
}

export const until = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> =>
  waitUntil(what, probe, timeoutMs, 250);
