import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { until as waitUntil } from '@jobby/core/testing';
import pg from 'pg';

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

/**
 * Waits until the job `type`:`key` has a final outcome and returns it (`succeeded`, `failed`,
 * `cancelled`), reading the database directly: polling with spawned `jobby jobs show` calls cost
 * 2–4 s of CPU each and kept both cores busy while the worker under test was starting. The test
 * then asserts on what the CLI shows, once. Postgres only (`DATABASE_URL`, `JOBBY_SCHEMA`).
 */
export async function untilJobFinal(env: { DATABASE_URL: string; JOBBY_SCHEMA: string }, type: string, key: string, timeoutMs = 60_000): Promise<string> {
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  try {
    const schema = client.escapeIdentifier(env.JOBBY_SCHEMA);
    return await waitUntil(
      `${type}:${key} to finish`,
      async () => {
        const { rows } = await client
          .query<{ outcome: string }>(
            `select o.outcome from ${schema}.jobs j join ${schema}.job_types t on t.id = j.type_id
               join ${schema}.job_outcomes o on o.job_id = j.id and o.final
              where t.name = $1 and j.key = $2 order by o.finished_at desc limit 1`,
            [type, key],
          )
          .catch(() => ({ rows: [] })); // before the worker has migrated the schema
        return rows[0]?.outcome;
      },
      timeoutMs,
      100,
    );
  } finally {
    await client.end();
  }
}
