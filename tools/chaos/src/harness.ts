import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

/** Worker processes, the Postgres cluster, and small timing helpers. */

const workerEntry = fileURLToPath(new URL('./worker-process.ts', import.meta.url));
const packageRoot = fileURLToPath(new URL('..', import.meta.url));

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Resolves with the worker id once it printed `ready`. */
  readonly ready: Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  id?: string;
  stderr: string;
}

export interface WorkerSettings {
  connectionString: string;
  schema: string;
  concurrency?: number;
  leaseSeconds?: number;
  sweepMs?: number;
  graceMs?: number;
  allowPoison?: boolean;
  logLevel?: string;
  /** Schedules the chaos module declares (CHAOS_SCHEDULES). */
  schedules?: { name: string; cron: string; catchUp: unknown }[];
}

export function spawnWorker(settings: WorkerSettings): WorkerProcess {
  const child = spawn(process.execPath, ['--conditions=@jobby/source', '--import', 'tsx', workerEntry], {
    cwd: packageRoot,
    env: {
      ...process.env,
      DATABASE_URL: settings.connectionString,
      JOBBY_SCHEMA: settings.schema,
      CHAOS_CONCURRENCY: String(settings.concurrency ?? 10),
      CHAOS_LEASE_SECONDS: String(settings.leaseSeconds ?? 3),
      CHAOS_SWEEP_MS: String(settings.sweepMs ?? 1_000),
      CHAOS_GRACE_MS: String(settings.graceMs ?? 10_000),
      CHAOS_ALLOW_POISON: settings.allowPoison ? '1' : '0',
      CHAOS_SCHEDULES: JSON.stringify(settings.schedules ?? []),
      CHAOS_LOG_LEVEL: settings.logLevel ?? process.env.CHAOS_LOG_LEVEL ?? 'silent',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const worker: WorkerProcess = {
    child,
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
    ready: undefined as unknown as Promise<string>,
  };
  child.stderr!.on('data', (chunk: Buffer) => {
    worker.stderr = (worker.stderr + chunk.toString()).slice(-20_000);
    if (process.env.CHAOS_WORKER_STDERR === '1') process.stderr.write(chunk);
  });
  (worker as { ready: Promise<string> }).ready = new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /ready (\S+)/.exec(stdout);
      if (match) {
        worker.id = match[1]!;
        resolve(match[1]!);
      }
    });
    void worker.exited.then(({ code, signal }) => reject(new Error(`worker exited (${code ?? signal}) before it was ready: ${worker.stderr.slice(-2_000)}`)));
  });
  worker.ready.catch(() => {});
  return worker;
}

export function isAlive(worker: WorkerProcess): boolean {
  return worker.child.exitCode === null && worker.child.signalCode === null;
}

/** SIGKILLs whatever is still running (cleanup). */
export async function killAll(workers: readonly WorkerProcess[]): Promise<void> {
  for (const worker of workers) if (isAlive(worker)) worker.child.kill('SIGKILL');
  await Promise.all(workers.map((worker) => worker.exited));
}

/**
 * SIGTERMs every live worker; returns their exit codes. A worker still starting (a replacement
 * spawned a moment ago: 5–7 s to `ready` at load 15 on 2 cores) has no SIGTERM handler yet and
 * would die of the signal, which says nothing about graceful shutdown: wait for it to be ready
 * first (up to a minute; one that never gets there is signalled anyway).
 */
export async function stopAll(workers: readonly WorkerProcess[], timeoutMs = 30_000): Promise<(number | string | null)[]> {
  await Promise.race([Promise.allSettled(workers.filter(isAlive).map((worker) => worker.ready)), sleep(60_000)]);
  const live = workers.filter(isAlive);
  for (const worker of live) worker.child.kill('SIGTERM');
  const timer = setTimeout(() => void killAll(live), timeoutMs);
  const results = await Promise.all(live.map((worker) => worker.exited));
  clearTimeout(timer);
  return results.map(({ code, signal }) => code ?? signal);
}

// ---- Postgres ---------------------------------------------------------------------------------

const run = promisify(execFile);

function cluster(): string[] {
  const version = readdirSync('/etc/postgresql').sort().at(-1);
  if (!version) throw new Error('no Postgres cluster under /etc/postgresql');
  return ['--skip-systemctl-redirect', version, 'main'];
}

export async function pgControl(action: 'restart' | 'stop' | 'start'): Promise<void> {
  await run('pg_ctlcluster', [...cluster(), action], { timeout: 120_000 });
}

/** Resolves once a fresh connection answers, with the time it did. */
export async function waitForPostgres(connectionString: string, timeoutMs = 60_000): Promise<number> {
  await until(
    'Postgres to accept connections',
    async () => {
      const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2_000 });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query('select 1');
        return true;
      } finally {
        await client.end().catch(() => {});
      }
    },
    timeoutMs,
    100,
  );
  return Date.now();
}

/** Makes sure the cluster runs (used in finally blocks: never leave it stopped). */
export async function ensurePostgresRunning(connectionString: string): Promise<void> {
  try {
    await waitForPostgres(connectionString, 2_000);
  } catch {
    await pgControl('start').catch(() => {});
    await waitForPostgres(connectionString, 60_000);
  }
}

/**
 * Watches Postgres from now on: resolves with the first moment a fresh connection answers after
 * it was seen down (or, if `down` is false, as soon as it answers). Call before the command that
 * stops or restarts it, so that "ready" is measured by the database, not by the command's return.
 */
export function watchReady(connectionString: string, options: { down: boolean; timeoutMs?: number }): { readyAt: Promise<number>; cancel(): void } {
  let sawDown = !options.down;
  let cancelled = false;
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const readyAt = (async () => {
    while (!cancelled && Date.now() < deadline) {
      const client = new pg.Client({ connectionString, connectionTimeoutMillis: 1_000 });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.query('select 1');
        if (sawDown) return Date.now();
      } catch {
        sawDown = true;
      } finally {
        await client.end().catch(() => {});
      }
      await sleep(50);
    }
    throw new Error('Postgres did not come back');
  })();
  readyAt.catch(() => {});
  return { readyAt, cancel: () => (cancelled = true) };
}
