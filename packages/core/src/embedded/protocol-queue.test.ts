import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { describe, expect, it } from 'vitest';
import { ProtocolQueue } from './protocol-queue.js';

/** A stand-in for PGlite whose execProtocolRawStream throws for messages starting with '!'. */
function fakeDb() {
  const ran: string[] = [];
  const db = {
    closed: false,
    runExclusive: <T>(fn: () => Promise<T>) => fn(),
    isInTransaction: () => false,
    exec: async () => [],
    execProtocolRawStream: async (message: Uint8Array, { onRawData }: { onRawData: (d: Uint8Array) => void }) => {
      const text = Buffer.from(message).toString();
      if (text.startsWith('!')) throw new Error('boom');
      ran.push(text);
      onRawData(new Uint8Array([1]));
    },
  };
  return { db: db as unknown as PGlite, ran };
}

const msg = (s: string) => new Uint8Array(Buffer.from(s));

describe('ProtocolQueue', () => {
  it('keeps running other clients after execProtocolRawStream throws', async () => {
    const { db, ran } = fakeDb();
    const queue = new ProtocolQueue(db);
    const failed = queue.enqueue(1, msg('!bad'), () => {});
    const ok = queue.enqueue(2, msg('Q ok'), () => {});
    await expect(failed).rejects.toThrow('boom');
    await expect(ok).resolves.toBe(1);
    await expect(queue.enqueue(1, msg('Q again'), () => {})).resolves.toBe(1);
    expect(ran).toEqual(['Q ok', 'Q again']);
  });

  it('documents the stock pglite-socket 0.2.17 queue: one thrown error stalls every later message', async () => {
    const { db, ran } = fakeDb();
    const stock = (new PGLiteSocketServer({ db, port: 0 }) as unknown as { queryQueue: ProtocolQueue }).queryQueue;
    await expect(stock.enqueue(1, msg('!bad'), () => {})).rejects.toThrow('boom');
    const later = stock.enqueue(2, msg('Q ok'), () => {});
    const outcome = await Promise.race([later.then(() => 'ran'), new Promise((r) => setTimeout(() => r('stalled'), 200))]);
    expect(outcome).toBe('stalled'); // if this starts failing, the upstream bug is fixed
    expect(ran).toEqual([]);
  });
});
