import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from './testing/load-pg.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { embeddedLockPath, readLock } from './embedded-lock.js';
import { type EmbeddedServer, startEmbeddedServer } from './embedded-server.js';

let root: string;
let server: EmbeddedServer;
let pool: InstanceType<typeof pg.Pool>;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'jobby-embedded-server-'));
  server = await startEmbeddedServer({ dataDir: path.join(root, 'nested', 'data'), maxConnections: 8 });
  pool = new pg.Pool({ connectionString: server.connectionString, max: 4 });
  pool.on('error', () => {});
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await server?.close();
  await rm(root, { recursive: true, force: true });
}, 60_000);

describe('startEmbeddedServer', () => {
  it('creates the data dir and writes a ready lock with the port', async () => {
    expect((await stat(server.dataDir)).isDirectory()).toBe(true);
    const lock = await readLock(embeddedLockPath(server.dataDir));
    expect(lock).toMatchObject({ pid: process.pid, host: '127.0.0.1', port: server.port, state: 'ready' });
    expect(server.connectionString).toBe(`postgresql://postgres:postgres@127.0.0.1:${server.port}/postgres?sslmode=disable`);
  });

  it('refuses a second server on the same directory in the same process', async () => {
    await expect(startEmbeddedServer({ dataDir: server.dataDir })).rejects.toMatchObject({ code: 'DATABASE_LOCKED' });
  });

  it('keeps interleaved transactions of different clients apart', async () => {
    await pool.query('CREATE TABLE tx_test (client text NOT NULL, n int NOT NULL)');
    const order: string[] = [];
    const transaction = async (name: string, rows: number, outcome: 'COMMIT' | 'ROLLBACK') => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        order.push(`${name}:begin`);
        for (let n = 0; n < rows; n += 1) {
          await client.query('INSERT INTO tx_test (client, n) VALUES ($1, $2)', [name, n]);
          await sleep(20);
        }
        const { rows: seen } = await client.query<{ c: number }>('SELECT count(*)::int AS c FROM tx_test');
        await client.query(outcome);
        order.push(`${name}:end`);
        return seen[0]?.c;
      } finally {
        client.release();
      }
    };
    const [a, b, c] = await Promise.all([transaction('a', 5, 'COMMIT'), transaction('b', 5, 'ROLLBACK'), transaction('c', 3, 'COMMIT')]);
    // Each transaction ran alone (whichever got the session first), and saw only rows committed
    // before it began plus its own.
    const ends = order.filter((step) => step.endsWith(':end')).map((step) => step.split(':')[0]);
    expect(order).toEqual(ends.flatMap((name) => [`${name}:begin`, `${name}:end`]));
    const own = { a: 5, b: 5, c: 3 } as const;
    const committed = { a: 5, b: 0, c: 3 } as const;
    const seen = { a, b, c } as Record<string, number | undefined>;
    let before = 0;
    for (const name of ends as Array<'a' | 'b' | 'c'>) {
      expect(seen[name]).toBe(before + own[name]);
      before += committed[name];
    }
    const { rows } = await pool.query<{ client: string; c: number }>('SELECT client, count(*)::int AS c FROM tx_test GROUP BY client ORDER BY client');
    expect(rows).toEqual([
      { client: 'a', c: 5 },
      { client: 'c', c: 3 },
    ]);
  });

  it('runs many concurrent parameterized queries of different shapes without mixing them up', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        i % 2 === 0
          ? pool.query<{ v: number }>('SELECT $1::int AS v', [i]).then((r) => r.rows[0]?.v === i)
          : pool.query<{ v: string }>('SELECT $1::text || $2::text AS v', ['x', String(i)]).then((r) => r.rows[0]?.v === `x${i}`),
      ),
    );
    expect(results.every(Boolean)).toBe(true);
  });

  it('keeps serving other clients after SQL errors, inside and outside transactions', async () => {
    await pool.query('CREATE TABLE err_test (id int PRIMARY KEY)');
    const a = await pool.connect();
    const b = await pool.connect();
    try {
      await expect(a.query('SELEC 1')).rejects.toMatchObject({ code: '42601' });
      await expect(b.query('INSERT INTO err_test VALUES (1), (1)')).rejects.toMatchObject({ code: '23505' });
      expect((await b.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);

      // A failed transaction keeps the session until its ROLLBACK; b waits and never sees
      // "current transaction is aborted".
      await a.query('BEGIN');
      await expect(a.query('INSERT INTO err_test VALUES (2), (2)')).rejects.toMatchObject({ code: '23505' });
      const bQuery = b.query<{ c: number }>('SELECT count(*)::int AS c FROM err_test');
      await sleep(100);
      await expect(a.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
      await a.query('ROLLBACK');
      expect((await bQuery).rows).toEqual([{ c: 0 }]);
      expect((await a.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    } finally {
      a.release();
      b.release();
    }
  });

  it('serializes FOR UPDATE SKIP LOCKED claims: the second claimer waits for the first transaction', async () => {
    await pool.query("CREATE TABLE claim_test (id int PRIMARY KEY, state text NOT NULL DEFAULT 'ready')");
    await pool.query('INSERT INTO claim_test (id) VALUES (1), (2)');
    const claim = "SELECT id FROM claim_test WHERE state = 'ready' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED";
    const a = await pool.connect();
    const b = await pool.connect();
    try {
      await a.query('BEGIN');
      const first = await a.query<{ id: number }>(claim);
      let bClaimed = false;
      const second = (async () => {
        await b.query('BEGIN');
        const r = await b.query<{ id: number }>(claim);
        bClaimed = true;
        await b.query("UPDATE claim_test SET state = 'running' WHERE id = $1", [r.rows[0]?.id]);
        await b.query('COMMIT');
        return r.rows[0]?.id;
      })();
      await sleep(200);
      expect(bClaimed).toBe(false); // b's BEGIN waits behind a's open transaction: no deadlock, no skip
      await a.query("UPDATE claim_test SET state = 'running' WHERE id = $1", [first.rows[0]?.id]);
      await a.query('COMMIT');
      expect(first.rows[0]?.id).toBe(1);
      expect(await second).toBe(2);
    } finally {
      a.release();
      b.release();
    }
  });

  it('rolls back the transaction of a client that disconnects and lets the others go on', async () => {
    await pool.query('CREATE TABLE drop_test (id int)');
    const a = await pool.connect();
    await a.query('BEGIN');
    await a.query('INSERT INTO drop_test VALUES (1)');
    const waiting = pool.query<{ c: number }>('SELECT count(*)::int AS c FROM drop_test');
    await sleep(100);
    a.release(new Error('drop this connection')); // destroys the socket mid-transaction
    expect((await waiting).rows).toEqual([{ c: 0 }]);
  });

  it('keeps a half-sent extended-protocol exchange together', async () => {
    const raw = await rawConnect(server.port);
    try {
      raw.socket.write(parse('SELECT 42 AS answer'));
      await sleep(50);
      let otherDone = false;
      const other = pool.query<{ v: number }>('SELECT $1::int AS v', [7]).then((r) => {
        otherDone = true;
        return r.rows[0]?.v;
      });
      await sleep(150);
      expect(otherDone).toBe(false); // the raw client holds the session until its Sync
      raw.socket.write(Buffer.concat([bind(), execute(), sync()]));
      const reply = await raw.readUntilReady();
      expect(reply.toString('latin1')).toContain('42');
      expect(await other).toBe(7);
    } finally {
      raw.socket.destroy();
    }
  });

  it('answers a connection beyond maxConnections with SQLSTATE 53300', async () => {
    const clients: Array<InstanceType<typeof pg.Client>> = [];
    try {
      let refused: unknown;
      for (let i = 0; i < 12 && refused === undefined; i += 1) {
        const client = new pg.Client({ connectionString: server.connectionString });
        client.on('error', () => {});
        try {
          await client.connect();
          clients.push(client);
        } catch (error) {
          refused = error;
        }
      }
      expect(refused).toMatchObject({ code: '53300' });
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  describe('LISTEN/NOTIFY between clients (relayed: PGlite is one session)', () => {
    const clients: Array<InstanceType<typeof pg.Client>> = [];
    /** A connected client whose notifications land in `received` as `name:channel:payload`. */
    async function connect(name: string, received: string[]) {
      const client = new pg.Client({ connectionString: server.connectionString });
      await client.connect();
      clients.push(client);
      client.on('notification', (n) => received.push(`${name}:${n.channel}:${n.payload}`));
      return client;
    }
    async function settle() {
      await sleep(100);
    }
    afterEach(async () => {
      for (const client of clients.splice(0)) await client.end().catch(() => {});
    });

    it('delivers a notification to the client that listens, not to the notifier, and only at commit', async () => {
      const received: string[] = [];
      const listener = await connect('listener', received);
      const notifier = await connect('notifier', received);
      await listener.query('LISTEN "jobby:test:jobs"');
      await notifier.query(`NOTIFY "jobby:test:jobs", 'one'`);
      await notifier.query("SELECT pg_notify('jobby:test:jobs', 'two')");
      await notifier.query('BEGIN');
      await notifier.query("SELECT pg_notify('jobby:test:jobs', 'three')");
      await settle();
      expect(received).toEqual(['listener:jobby:test:jobs:one', 'listener:jobby:test:jobs:two']);
      await notifier.query('COMMIT');
      await settle();
      expect(received).toEqual(['listener:jobby:test:jobs:one', 'listener:jobby:test:jobs:two', 'listener:jobby:test:jobs:three']);
      await notifier.query("SELECT pg_notify('elsewhere', 'not listened')");
      await settle();
      expect(received).toHaveLength(3);
    });

    it('keeps delivering to the other listeners when one unlistens or leaves, and to a notifier that listens itself', async () => {
      const received: string[] = [];
      const a = await connect('a', received);
      const b = await connect('b', received);
      const c = await connect('c', received);
      await a.query('LISTEN shared');
      await b.query('listen Shared;'); // unquoted: folded to lower case, as Postgres does
      await c.query('LISTEN shared');
      await a.query('UNLISTEN shared');
      await b.query('UNLISTEN *');
      await c.query("NOTIFY shared, 'x'");
      await settle();
      expect(received).toEqual(['c:shared:x']); // c listens, so it keeps its own notification

      await b.query('LISTEN shared');
      await c.end(); // leaves without UNLISTEN
      clients.pop();
      await a.query("SELECT pg_notify('shared', 'y')");
      await settle();
      expect(received).toEqual(['c:shared:x', 'b:shared:y']);
    });

    it('does not record a LISTEN that failed', async () => {
      const received: string[] = [];
      const client = await connect('client', received);
      await client.query('BEGIN');
      await expect(client.query('SELECT 1/0')).rejects.toThrow();
      await expect(client.query('LISTEN aborted')).rejects.toThrow(/aborted/);
      await client.query('ROLLBACK');
      const other = await connect('other', received);
      await other.query('LISTEN aborted'); // now the session listens on it
      const notifier = await connect('notifier', received);
      await notifier.query("NOTIFY aborted, 'z'");
      await settle();
      expect(received).toEqual(['other:aborted:z']);
    });
  });

  it('measures round trips and a 500-row batch insert', async () => {
    const client = await pool.connect();
    try {
      const rounds = 2_000;
      let start = performance.now();
      for (let i = 0; i < rounds; i += 1) await client.query('SELECT 1');
      const selectPerSecond = Math.round(rounds / ((performance.now() - start) / 1000));

      await client.query('CREATE TABLE bench (id int NOT NULL, payload jsonb NOT NULL)');
      const ids = Array.from({ length: 500 }, (_, i) => i);
      const payloads = ids.map((i) => JSON.stringify({ i, name: `job-${i}` }));
      const batchMs: number[] = [];
      for (let round = 0; round < 5; round += 1) {
        start = performance.now();
        await client.query('INSERT INTO bench (id, payload) SELECT * FROM unnest($1::int[], $2::jsonb[])', [ids, payloads]);
        batchMs.push(performance.now() - start);
      }
      batchMs.sort((x, y) => x - y);
      console.log(`[embedded] SELECT 1: ${selectPerSecond}/s; 500-row unnest insert median ${batchMs[2]?.toFixed(1)} ms (min ${batchMs[0]?.toFixed(1)})`);
      expect(selectPerSecond).toBeGreaterThan(50);
      expect((await client.query<{ c: number }>('SELECT count(*)::int AS c FROM bench')).rows).toEqual([{ c: 2_500 }]);
    } finally {
      client.release();
    }
  });
});

// --- a minimal wire-protocol client, to send an exchange in pieces ---

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
const cstr = (s: string) => Buffer.from(`${s}\0`);
const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const parse = (sql: string) => message('P', Buffer.concat([cstr(''), cstr(sql), int16(0)]));
const bind = () => message('B', Buffer.concat([cstr(''), cstr(''), int16(0), int16(0), int16(0)]));
const execute = () => message('E', Buffer.concat([cstr(''), Buffer.alloc(4)]));
const sync = () => message('S', Buffer.alloc(0));

async function rawConnect(port: number): Promise<{ socket: Socket; readUntilReady(): Promise<Buffer> }> {
  const socket = createConnection({ host: '127.0.0.1', port });
  let buffered = Buffer.alloc(0);
  let waiter: (() => void) | null = null;
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    waiter?.();
  });
  const readUntilReady = async () => {
    // ReadyForQuery: 'Z', length 5, status byte
    while (!hasReadyForQuery(buffered)) await new Promise<void>((resolve) => (waiter = resolve));
    const out = buffered;
    buffered = Buffer.alloc(0);
    return out;
  };
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const params = Buffer.concat([cstr('user'), cstr('postgres'), cstr('database'), cstr('postgres'), Buffer.from([0])]);
  const startup = Buffer.alloc(8);
  startup.writeInt32BE(params.length + 8, 0);
  startup.writeInt32BE(196608, 4);
  socket.write(Buffer.concat([startup, params]));
  await readUntilReady();
  return { socket, readUntilReady };
}

function hasReadyForQuery(data: Buffer): boolean {
  let offset = 0;
  while (offset + 5 <= data.length) {
    const type = data[offset];
    const length = data.readInt32BE(offset + 1);
    if (offset + 1 + length > data.length) return false;
    if (type === 0x5a) return true;
    offset += 1 + length;
  }
  return false;
}
