import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { embeddedLockPath, readLock, type EmbeddedLockInfo } from './embedded-lock.js';
import { startEmbeddedServer } from './embedded-server.js';
import { connectEmbedded } from './resolve-embedded-database.js';
import { openDatabase, type JobbyDatabase } from '../store/database.js';
import pg from './testing/load-pg.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const childScript = path.join(here, 'testing', 'embedded-child.ts');
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDataDir(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'jobby-embedded-resolve-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  return path.join(root, 'data');
}

interface Child {
  process: ChildProcessWithoutNullStreams;
  next(): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function startChild(dataDir: string, mode?: 'exit'): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, dataDir, ...(mode ? [mode] : [])], {
    cwd: here,
    stdio: 'pipe',
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const lines = createInterface({ input: child.stdout });
  const queue: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  lines.on('line', (line) => (waiters.shift() ?? ((l: string) => queue.push(l)))(line));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return {
    process: child,
    exited,
    next: () =>
      new Promise((resolve, reject) => {
        const line = queue.shift();
        if (line !== undefined) return resolve(JSON.parse(line));
        waiters.push((l) => resolve(JSON.parse(l)));
        void exited.then((code) => reject(new Error(`child exited (${code}): ${stderr}`)));
      }),
  };
}

async function query(connectionString: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', '']);
  return result.pid as number;
}

async function writeLock(dataDir: string, info: Partial<EmbeddedLockInfo>): Promise<void> {
  await mkdir(path.dirname(dataDir), { recursive: true });
  const lock: EmbeddedLockInfo = {
    pid: deadPid(),
    host: '127.0.0.1',
    port: 1,
    startedAt: new Date().toISOString(),
    token: 'someone-else',
    state: 'ready',
    dataDir,
    ...info,
  };
  await writeFile(embeddedLockPath(dataDir), JSON.stringify(lock));
}

/** A TCP server that accepts connections and never answers. */
async function silentPort(): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A live process that is not a jobby owner. */
function livePid(): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  cleanups.push(() => {
    child.kill('SIGKILL');
  });
  return child.pid as number;
}

describe('connectEmbedded', () => {
  it('two processes starting together end with one owner and one client', async () => {
    const dataDir = await tempDataDir();
    const a = startChild(dataDir);
    const b = startChild(dataDir);
    const [ra, rb] = await Promise.all([a.next(), b.next()]);
    expect([ra.owned, rb.owned].sort()).toEqual([false, true]);
    expect(ra.connectionString).toBe(rb.connectionString);
    expect([ra.hits, rb.hits].sort()).toEqual([1, 2]);

    const [owner, client] = ra.owned ? [a, b] : [b, a];
    // This process is a third one: it connects to the owner too.
    const third = await connectEmbedded({ dataDir });
    expect(third.owned).toBe(false);
    expect(await query(third.connectionString, 'SELECT count(*)::int AS n FROM hits')).toEqual([{ n: 2 }]);

    client.process.stdin.write('close\n');
    expect(await client.next()).toEqual({ closed: true });
    expect(await client.exited).toBe(0);
    expect(existsSync(embeddedLockPath(dataDir))).toBe(true); // a client's close leaves the owner alone

    owner.process.stdin.write('close\n');
    expect(await owner.next()).toEqual({ closed: true });
    expect(await owner.exited).toBe(0);
    expect(existsSync(embeddedLockPath(dataDir))).toBe(false);

    // A new owner starts on the same directory and sees the data.
    const next = await connectEmbedded({ dataDir });
    cleanups.push(() => next.close());
    expect(next.owned).toBe(true);
    expect(await query(next.connectionString, 'SELECT count(*)::int AS n FROM hits')).toEqual([{ n: 2 }]);
    await next.close();
    expect(existsSync(embeddedLockPath(dataDir))).toBe(false);
  }, 180_000);

  it('removes the lock when the owner exits without closing', async () => {
    const dataDir = await tempDataDir();
    const child = startChild(dataDir, 'exit');
    expect((await child.next()).owned).toBe(true);
    expect(await child.exited).toBe(0);
    expect(existsSync(embeddedLockPath(dataDir))).toBe(false);
  }, 120_000);

  it('takes over a stale lock whose pid is dead', async () => {
    const dataDir = await tempDataDir();
    await writeLock(dataDir, { pid: deadPid() });
    const connection = await connectEmbedded({ dataDir });
    cleanups.push(() => connection.close());
    expect(connection.owned).toBe(true);
    expect(await readLock(embeddedLockPath(dataDir))).toMatchObject({ pid: process.pid, state: 'ready' });
    expect(await query(connection.connectionString, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  }, 120_000);

  it('takes over a ready lock of a live pid when nothing listens on its port (pid reused)', async () => {
    const dataDir = await tempDataDir();
    const port = await silentPort();
    await cleanups.pop()?.(); // close it again: the port now refuses connections
    await writeLock(dataDir, { pid: livePid(), port });
    const connection = await connectEmbedded({ dataDir });
    cleanups.push(() => connection.close());
    expect(connection.owned).toBe(true);
  }, 120_000);

  it('fails with DATABASE_LOCKED naming the dir and pid when a live owner cannot be reached', async () => {
    const dataDir = await tempDataDir();
    const pid = livePid();
    await writeLock(dataDir, { pid, port: await silentPort() });
    const error = await connectEmbedded({ dataDir, connectTimeoutMs: 500 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DATABASE_LOCKED', details: { pid, dataDir } });
    expect((error as Error).message).toContain(dataDir);
    expect((error as Error).message).toContain(String(pid));
    await expect(startEmbeddedServer({ dataDir })).rejects.toMatchObject({ code: 'DATABASE_LOCKED' });
    expect(existsSync(dataDir)).toBe(false); // PGlite never touched the directory
  }, 60_000);

  it('waits for an owner that is starting, then fails with DATABASE_LOCKED when it never gets ready', async () => {
    const dataDir = await tempDataDir();
    const pid = livePid();
    await writeLock(dataDir, { pid, port: null, state: 'starting' });
    const started = Date.now();
    await expect(connectEmbedded({ dataDir, waitTimeoutMs: 500 })).rejects.toMatchObject({ code: 'DATABASE_LOCKED', details: { pid } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  }, 60_000);
});

describe('openDatabase on the embedded database, when the owner it connected to leaves', () => {
  const hits = async (database: JobbyDatabase) => (await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM public.hits')).rows[0]?.n;

  /** Runs `read` until it succeeds; returns its result and how many attempts failed first. */
  async function untilAnswered<T>(read: () => Promise<T>): Promise<{ value: T; failures: unknown[] }> {
    const failures: unknown[] = [];
    for (;;) {
      try {
        return { value: await read(), failures };
      } catch (error) {
        failures.push(error);
        if (failures.length >= 5) throw new Error('still failing after 5 attempts', { cause: error });
      }
    }
  }

  for (const departure of ['closes', 'is killed'] as const) {
    it(`takes over when the owner ${departure}: the next attempt reaches this process's server, and later processes connect to it`, async () => {
      const dataDir = await tempDataDir();
      const owner = startChild(dataDir);
      expect(await owner.next()).toMatchObject({ owned: true, hits: 1 });
      const database = await openDatabase({ dataDir, poolSize: 2 });
      cleanups.push(() => database.close());
      const ownersAddress = database.connectionString;
      expect(await hits(database)).toBe(1); // through the owner: this process is a client

      if (departure === 'closes') {
        owner.process.stdin.write('close\n');
        expect(await owner.next()).toEqual({ closed: true });
      } else {
        owner.process.kill('SIGKILL');
      }
      await owner.exited;

      // The pool's connection to the old owner is gone. An attempt that fails waits for the owner
      // to be resolved again before it reports its error, so the retry is served here. Usually
      // one attempt fails; a second was seen once in CI (a killed owner, both runtimes' suites
      // running on 2 cores): a resolution that does not succeed is tried again by the next lost
      // connection (embedded-endpoint.ts), so a second failure is within the design, a third is not.
      const { value, failures } = await untilAnswered(() => hits(database));
      expect(value).toBe(1);
      expect(failures.length).toBeLessThanOrEqual(2);
      expect(database.connectionString).not.toBe(ownersAddress);
      expect(await readLock(embeddedLockPath(dataDir))).toMatchObject({ pid: process.pid, state: 'ready' });

      const later = startChild(dataDir);
      expect(await later.next()).toMatchObject({ owned: false, hits: 2, connectionString: database.connectionString });
      later.process.stdin.write('close\n');
      expect(await later.next()).toEqual({ closed: true });

      await database.close();
      expect(existsSync(embeddedLockPath(dataDir))).toBe(false); // the new owner released it
    }, 180_000);
  }
});
