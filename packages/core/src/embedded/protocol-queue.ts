/**
 * The serializer that lets several wire-protocol clients share PGlite's single session.
 *
 * It replaces pglite-socket 0.2.17's internal `QueryQueueManager` (which `PGLiteSocketHandler`
 * takes as its `queryQueue` option) for two reasons:
 *
 * 1. Stall on a thrown error. The stock queue's `processQueue` has a `return` inside its `catch`
 *    that leaves `processing = true`, so after one thrown error no later message of any client is
 *    ever run. SQL errors (syntax error, unique violation…) do NOT take that path: PGlite answers
 *    them with a protocol ErrorResponse and `execProtocolRawStream` resolves normally. What does
 *    throw: a closed or crashed PGlite, a failing `syncToFs` (disk full, permissions), a throwing
 *    `onRawData` callback. Here a thrown error only fails the message that threw (its client is
 *    then detached by the handler, which rolls back its transaction) and the queue keeps going.
 * 2. Ownership only while `isInTransaction()`. The stock queue keeps a client's messages together
 *    only inside an explicit transaction block. An extended-protocol exchange
 *    (Parse/Bind/Describe/Execute/…/Sync) is several messages, and nothing stops another client's
 *    messages from running between them (overwriting the unnamed statement or portal) when a
 *    client's messages arrive in more than one socket read. In practice the stock queue usually
 *    gets away with it because a whole batch runs in microtasks, but it is not guaranteed. Here a
 *    client keeps the session from its first message until the end of the exchange: a Sync or a
 *    simple Query (or the startup packet) after which PGlite is not inside a transaction block.
 *    An explicit or aborted transaction (`BEGIN` … `COMMIT`/`ROLLBACK`) is kept the same way.
 *
 * While one client holds the session, every other client waits: PGlite is one session, so
 * `FOR UPDATE SKIP LOCKED` in a second transaction never skips anything; it simply runs after the
 * first transaction ends. A client that holds the session and goes silent blocks everyone until
 * it disconnects (then its transaction is rolled back).
 *
 * It also routes LISTEN/NOTIFY between the clients (notification-relay.ts): the session's
 * notifications come out in the notifier's reply, and the relay hands them to the listeners.
 */
import type { PGlite } from '@electric-sql/pglite';
import { NotificationRelay, listenStatement, parseListenStatement, type ListenStatement } from './notification-relay.js';

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: Error) => void;
}

interface PendingRelease {
  handlerId: number;
  done: () => void;
}

/** Protocol message type bytes that end an exchange (the client then waits for ReadyForQuery). */
const SIMPLE_QUERY = 0x51; // 'Q'
const SYNC = 0x53; // 'S'
const TERMINATE = 0x58; // 'X'
/** Startup, SSL and cancel packets have no type byte; their first length byte is 0. */
const UNTYPED = 0x00;

const SYNC_MESSAGE = new Uint8Array([SYNC, 0, 0, 0, 4]);

export interface ProtocolQueueLogger {
  warn(o: object, msg?: string): void;
}

/**
 * Runs wire-protocol messages of many clients against one PGlite, one at a time, keeping each
 * client's exchange and transaction together. Structurally compatible with the queue that
 * `PGLiteSocketHandler` expects (`enqueue`, `clearQueueForHandler`, `clearTransactionIfNeeded`).
 */
export class ProtocolQueue {
  private queue: QueuedMessage[] = [];
  private releases: PendingRelease[] = [];
  private running = false;
  /** The client that currently holds the session, or null when any client may run next. */
  private owner: number | null = null;
  private idleWaiters: Array<() => void> = [];
  private readonly relay = new NotificationRelay();

  constructor(
    private readonly db: PGlite,
    private readonly logger?: ProtocolQueueLogger,
  ) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.pump();
    });
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  /** Fails the queued (not yet running) messages of a disconnected client. */
  clearQueueForHandler(handlerId: number): void {
    this.queue = this.queue.filter((item) => {
      if (item.handlerId !== handlerId) return true;
      item.reject(new Error('Handler disconnected'));
      return false;
    });
  }

  /**
   * Called when a client disconnects: if it holds the session, ends its exchange and rolls back
   * its transaction, then lets the other clients run. Resolves once that is done.
   */
  clearTransactionIfNeeded(handlerId: number): Promise<void> {
    return new Promise<void>((done) => {
      this.releases.push({ handlerId, done });
      void this.pump();
    });
  }

  /** Resolves when nothing is running or queued (used before closing PGlite). */
  whenIdle(): Promise<void> {
    if (!this.running && this.queue.length === 0 && this.releases.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Fails every queued message (used when the server stops). */
  rejectAll(error: Error): void {
    const queued = this.queue;
    this.queue = [];
    for (const item of queued) item.reject(error);
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const release = this.releases.shift();
        if (release) {
          this.relay.forget(release.handlerId);
          await this.release(release.handlerId);
          release.done();
          continue;
        }
        const index = this.owner === null ? 0 : this.queue.findIndex((item) => item.handlerId === this.owner);
        if (index === -1 || this.queue.length === 0) break; // the owner has not sent its next message yet
        const [item] = this.queue.splice(index, 1);
        if (item) await this.run(item);
      }
    } finally {
      this.running = false;
      if (this.queue.length === 0 && this.releases.length === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }

  private async run(item: QueuedMessage): Promise<void> {
    let bytes = 0;
    const type = item.message[0];
    const endsExchange = type === SIMPLE_QUERY || type === SYNC || type === TERMINATE || type === UNTYPED;
    const statement = parseListenStatement(item.message);
    // A reply that ends an exchange may hold notifications once any client listens: it is
    // collected whole and routed (its notifications go to their listeners). Other replies stream.
    const collected: Uint8Array[] | undefined = statement || (this.relay.active && (type === SIMPLE_QUERY || type === SYNC)) ? [] : undefined;
    try {
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(item.message, {
          onRawData: (data) => {
            bytes += data.length;
            // PGlite may reuse the bytes it hands out: a reply sent later is copied.
            if (collected) collected.push(data.slice());
            else item.onData(data);
          },
        }),
      );
    } catch (error) {
      // Keep the session with this client only if it left a transaction open: the handler
      // detaches the client on this rejection, and the release then rolls the transaction back.
      this.owner = this.safeInTransaction() ? item.handlerId : null;
      this.logger?.warn({ err: error, handlerId: item.handlerId }, 'embedded database: protocol message failed');
      item.reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (collected) {
      const reply = this.relay.route(item.handlerId, joinBytes(collected));
      if (statement && !hasErrorResponse(reply)) await this.applyListen(item, statement);
      if (reply.length > 0) item.onData(reply);
    }
    this.owner = endsExchange && !this.db.isInTransaction() ? null : item.handlerId;
    item.resolve(bytes);
  }

  /** Records a client's LISTEN or UNLISTEN; after an UNLISTEN, the session listens again on what others want. */
  private async applyListen(item: QueuedMessage, statement: ListenStatement): Promise<void> {
    if (statement.kind === 'listen') {
      this.relay.listened(item.handlerId, statement.channel, item.onData);
      return;
    }
    for (const channel of this.relay.unlistened(item.handlerId, statement.channel)) {
      try {
        await this.db.exec(listenStatement(channel));
      } catch (error) {
        this.logger?.warn({ err: error, channel }, 'embedded database: could not listen again for the other clients');
      }
    }
  }

  private async release(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    this.owner = null;
    if (this.db.closed) return;
    try {
      // End a half-sent extended-protocol exchange (its output goes nowhere), then roll back.
      await this.db.runExclusive(() => this.db.execProtocolRawStream(SYNC_MESSAGE, { onRawData: () => {} }));
      if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    } catch (error) {
      this.logger?.warn({ err: error, handlerId }, 'embedded database: could not roll back a disconnected client');
    }
  }

  private safeInTransaction(): boolean {
    try {
      return !this.db.closed && this.db.isInTransaction();
    } catch {
      return false;
    }
  }
}

function joinBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  return Buffer.concat(parts);
}

/** True when a reply holds an ErrorResponse ('E') message. */
function hasErrorResponse(reply: Uint8Array): boolean {
  const view = Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength);
  for (let offset = 0; offset + 5 <= view.length; offset += 1 + view.readUInt32BE(offset + 1)) {
    if (view[offset] === 0x45) return true;
  }
  return false;
}
