/**
 * The lock file that guards an embedded data directory: PGlite opens the same directory from two
 * processes without complaint (and corrupts it), so exactly one process may own it.
 *
 * The lock is a sibling of the data directory (`.jobby/data` → `.jobby/data.embedded.json`), so
 * PGlite never sees a foreign file inside its directory. It is created with `open(path, 'wx')`
 * (O_EXCL) before PGlite opens the directory, in state `starting`; it gets the port and state
 * `ready` once the server listens, and `closing` while the owner shuts down. Its JSON is
 * {@link EmbeddedLockInfo}.
 *
 * A lock is stale when its pid is not alive, when it is `ready` but nothing listens on its port
 * (pid reused after a crash, e.g. in a restarted container), or when it names this very process
 * but this process does not hold it. A stale lock is taken over under a short-lived second lock
 * (`<lock>.takeover`, also O_EXCL), so two processes that find the same stale lock cannot both
 * delete it and both become owners. A lock whose pid is alive is never taken over otherwise.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import path from 'node:path';

export type EmbeddedLockState = 'starting' | 'ready' | 'closing';

export interface EmbeddedLockInfo {
  pid: number;
  host: string;
  /** null until the server listens. */
  port: number | null;
  /** ISO time the owner created the lock. */
  startedAt: string;
  /** Random per owner: tells one owner's lock from a later one's. */
  token: string;
  state: EmbeddedLockState;
  dataDir: string;
}

/** Where the lock of an embedded data directory lives. */
export function embeddedLockPath(dataDir: string): string {
  const resolved = path.resolve(dataDir);
  return path.join(path.dirname(resolved), `${path.basename(resolved)}.embedded.json`);
}

/** Locks held by this process, by lock path → token. */
const heldHere = new Map<string, string>();

/** A lock this process holds. */
export class EmbeddedLockHandle {
  private exitHandler: (() => void) | null;

  constructor(
    readonly lockPath: string,
    readonly info: EmbeddedLockInfo,
  ) {
    heldHere.set(lockPath, info.token);
    // A normal exit (process.exit, end of the event loop) removes the lock; death by a signal or
    // a crash leaves it, and the next process finds the pid dead and takes it over.
    this.exitHandler = () => removeLockSync(lockPath, info.token);
    process.on('exit', this.exitHandler);
  }

  /** Rewrites the lock atomically (write a temporary file, rename it over the lock). */
  async update(patch: Partial<Pick<EmbeddedLockInfo, 'host' | 'port' | 'state'>>): Promise<void> {
    Object.assign(this.info, patch);
    const temporary = `${this.lockPath}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(temporary, JSON.stringify(this.info), { mode: 0o600 });
    await rename(temporary, this.lockPath);
  }

  /** Removes the lock if it is still ours. */
  async release(): Promise<void> {
    if (this.exitHandler) process.off('exit', this.exitHandler);
    this.exitHandler = null;
    if (heldHere.get(this.lockPath) === this.info.token) heldHere.delete(this.lockPath);
    const current = await readLock(this.lockPath);
    if (typeof current === 'object' && current.token === this.info.token) await unlink(this.lockPath).catch(ignoreMissing);
  }
}

function removeLockSync(lockPath: string, token: string): void {
  try {
    const current = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<EmbeddedLockInfo>;
    if (current.token === token) unlinkSync(lockPath);
  } catch {
    // missing or unreadable: nothing of ours to remove
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}

/** The lock's content; `missing`, or `unreadable` (being written right now, or garbage). */
export async function readLock(lockPath: string): Promise<EmbeddedLockInfo | 'missing' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<EmbeddedLockInfo>;
    if (typeof value.pid === 'number' && typeof value.token === 'string' && typeof value.state === 'string') {
      return value as EmbeddedLockInfo;
    }
  } catch {
    // fall through
  }
  return 'unreadable';
}

/** True when a process with this pid exists (EPERM: it exists but belongs to another user). */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when something accepts TCP connections on host:port within the timeout. */
export function isPortAnswering(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const finish = (answer: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

export type LockVerdict = 'live' | 'stale' | 'pending';

/**
 * Judges someone else's lock: `live` (ready, pid alive, port answers), `pending` (pid alive but
 * starting or closing: wait), `stale` (safe to take over).
 */
export async function judgeLock(lockPath: string, info: EmbeddedLockInfo): Promise<LockVerdict> {
  if (info.pid === process.pid) return heldHere.get(lockPath) === info.token ? judgeReady(info) : 'stale';
  if (!isPidAlive(info.pid)) return 'stale';
  if (info.state !== 'ready') return 'pending';
  return judgeReady(info);
}

async function judgeReady(info: EmbeddedLockInfo): Promise<LockVerdict> {
  if (info.state !== 'ready' || info.port === null) return 'pending';
  return (await isPortAnswering(info.host, info.port)) ? 'live' : 'stale';
}

export type AcquireResult = { kind: 'acquired'; handle: EmbeddedLockHandle } | { kind: 'held'; info: EmbeddedLockInfo | null; verdict: LockVerdict };

/** How old an unreadable lock may get before it counts as stale (a writer died between open and write). */
const UNREADABLE_GRACE_MS = 5_000;
/** How old a takeover lock may get before it counts as abandoned. */
const TAKEOVER_GRACE_MS = 10_000;

/**
 * One attempt to own the lock of dataDir. Returns `acquired`, or `held` with the current owner's
 * lock and how it was judged (`live` or `pending`; `info` null while unreadable). A stale lock is
 * taken over within the same attempt when nobody else is taking it over.
 */
export async function tryAcquireLock(dataDir: string, host: string): Promise<AcquireResult> {
  const lockPath = embeddedLockPath(dataDir);
  await mkdir(path.dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const handle = await tryCreate(lockPath, dataDir, host);
    if (handle) return { kind: 'acquired', handle };

    const current = await readLock(lockPath);
    if (current === 'missing') continue; // released in between: try again
    if (current === 'unreadable') {
      const age = await ageMs(lockPath);
      if (age === null) continue;
      if (age < UNREADABLE_GRACE_MS) return { kind: 'held', info: null, verdict: 'pending' };
    } else {
      const verdict = await judgeLock(lockPath, current);
      if (verdict !== 'stale') return { kind: 'held', info: current, verdict };
    }
    const taken = await takeOverStale(lockPath, current === 'unreadable' ? null : current.token);
    if (!taken) return { kind: 'held', info: null, verdict: 'pending' }; // someone else is taking over
  }
  return { kind: 'held', info: null, verdict: 'pending' };
}

async function tryCreate(lockPath: string, dataDir: string, host: string): Promise<EmbeddedLockHandle | null> {
  let file;
  try {
    file = await open(lockPath, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw error;
  }
  const info: EmbeddedLockInfo = {
    pid: process.pid,
    host,
    port: null,
    startedAt: new Date().toISOString(),
    token: randomUUID(),
    state: 'starting',
    dataDir: path.resolve(dataDir),
  };
  try {
    await file.writeFile(JSON.stringify(info));
  } finally {
    await file.close();
  }
  return new EmbeddedLockHandle(lockPath, info);
}

/**
 * Deletes a stale lock, holding `<lock>.takeover` meanwhile so that only one process deletes it.
 * `staleToken` null means the stale lock was unreadable. Returns false when another process holds
 * the takeover lock (the caller waits and retries).
 */
async function takeOverStale(lockPath: string, staleToken: string | null): Promise<boolean> {
  const takeoverPath = `${lockPath}.takeover`;
  let file;
  try {
    file = await open(takeoverPath, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await removeAbandonedTakeover(takeoverPath);
    return false;
  }
  const mine = randomUUID();
  try {
    await file.writeFile(JSON.stringify({ pid: process.pid, token: mine }));
    await file.close();
    file = null;
    // Re-read under the takeover lock: delete only the very lock that was judged stale.
    const current = await readLock(lockPath);
    const same = current === 'unreadable' ? staleToken === null : typeof current === 'object' && current.token === staleToken;
    if (same) await unlink(lockPath).catch(ignoreMissing);
    return true;
  } finally {
    if (file) await file.close().catch(() => {});
    await unlink(takeoverPath).catch(ignoreMissing);
  }
}

async function removeAbandonedTakeover(takeoverPath: string): Promise<void> {
  let owner: { pid?: number } = {};
  try {
    owner = JSON.parse(await readFile(takeoverPath, 'utf8')) as { pid?: number };
  } catch {
    // unreadable: judge by age only
  }
  const age = await ageMs(takeoverPath);
  if (age === null) return;
  const dead = typeof owner.pid === 'number' && owner.pid !== process.pid && !isPidAlive(owner.pid);
  if (dead || age > TAKEOVER_GRACE_MS) await unlink(takeoverPath).catch(ignoreMissing);
}

async function ageMs(file: string): Promise<number | null> {
  try {
    return Date.now() - (await stat(file)).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

