/**
 * LISTEN/NOTIFY between the clients of the embedded server.
 *
 * PGlite is one Postgres session shared by every client. Postgres therefore sees one listener, and
 * delivers each notification on a channel that session listens on as a NotificationResponse in the
 * reply of whichever client's statement committed it, just before that reply's ReadyForQuery:
 * to the notifier, never to the client that ran LISTEN. The relay remembers which client listens
 * on which channel, takes the notifications out of every reply that ends an exchange, and hands
 * each to the clients listening on its channel (the notifier keeps it only if it listens itself).
 *
 * What it understands: LISTEN and UNLISTEN sent alone in a simple query (`LISTEN "channel"`,
 * `UNLISTEN channel`, `UNLISTEN *`), which is how pg's `client.query('LISTEN …')` and jobby's
 * listener send them. A LISTEN inside a multi-statement query or through the extended protocol
 * still makes the session listen, but the relay does not know whom to tell, so that client gets
 * nothing. Since the session's LISTEN is shared, an UNLISTEN of one client is followed by a LISTEN
 * again on the channels other clients still want (see ProtocolQueue).
 */

const NOTIFICATION_RESPONSE = 0x41; // 'A'
const SIMPLE_QUERY = 0x51; // 'Q'

export type ListenStatement = { kind: 'listen'; channel: string } | { kind: 'unlisten'; channel: string | '*' };

interface Listener {
  channels: Set<string>;
  /** Writes bytes to the client's socket. */
  push: (data: Uint8Array) => void;
}

export class NotificationRelay {
  private readonly listeners = new Map<number, Listener>();
  private listenedEver = false;

  /**
   * True once any client has listened: only then can a reply hold notifications (the session
   * keeps listening on channels of clients that left, whose notifications the relay drops).
   */
  get active(): boolean {
    return this.listenedEver;
  }

  /** After a client's LISTEN succeeded. `push` writes to that client's socket. */
  listened(handlerId: number, channel: string, push: (data: Uint8Array) => void): void {
    const listener = this.listeners.get(handlerId);
    if (listener) {
      listener.channels.add(channel);
      listener.push = push;
    } else {
      this.listeners.set(handlerId, { channels: new Set([channel]), push });
    }
    this.listenedEver = true;
  }

  /**
   * After a client's UNLISTEN succeeded (the session no longer listens on those channels).
   * Returns the channels that other clients still listen on, which the session must LISTEN to
   * again.
   */
  unlistened(handlerId: number, channel: string | '*'): string[] {
    const listener = this.listeners.get(handlerId);
    const dropped = channel === '*' ? [...(listener?.channels ?? [])] : [channel];
    if (listener) {
      for (const name of dropped) listener.channels.delete(name);
      if (listener.channels.size === 0) this.listeners.delete(handlerId);
    }
    const stillWanted = new Set(this.allChannels());
    // UNLISTEN * stopped the session listening on every channel, not only this client's.
    return channel === '*' ? [...stillWanted] : dropped.filter((name) => stillWanted.has(name));
  }

  /** A client disconnected. The session keeps listening; the relay drops what comes. */
  forget(handlerId: number): void {
    this.listeners.delete(handlerId);
  }

  /**
   * Takes the notifications out of a reply to `senderId` and pushes each to the clients listening
   * on its channel. Returns the reply to send to the sender: unchanged when it held none, or
   * without the notifications on channels the sender does not listen on.
   */
  route(senderId: number, reply: Uint8Array): Uint8Array {
    let kept: Uint8Array[] | undefined;
    let copiedUpTo = 0;
    for (let offset = 0; offset + 5 <= reply.length; ) {
      const length = readInt32(reply, offset + 1);
      const end = offset + 1 + length;
      if (length < 4 || end > reply.length) break; // not a whole message: pass the rest through
      if (reply[offset] === NOTIFICATION_RESPONSE) {
        const message = reply.slice(offset, end);
        const channel = readCString(reply, offset + 9, end);
        let toSender = false;
        for (const [handlerId, listener] of this.listeners) {
          if (!listener.channels.has(channel)) continue;
          if (handlerId === senderId) toSender = true;
          else listener.push(message);
        }
        if (!toSender) {
          kept ??= [];
          kept.push(reply.subarray(copiedUpTo, offset));
          copiedUpTo = end;
        }
      }
      offset = end;
    }
    if (!kept) return reply;
    kept.push(reply.subarray(copiedUpTo));
    return Buffer.concat(kept);
  }

  private *allChannels(): Iterable<string> {
    for (const listener of this.listeners.values()) yield* listener.channels;
  }
}

/**
 * The LISTEN or UNLISTEN of a simple-query message holding only that statement, or undefined.
 * Channel names follow SQL identifier rules: a quoted name as written (`""` is one quote), an
 * unquoted one in lower case.
 */
export function parseListenStatement(message: Uint8Array): ListenStatement | undefined {
  if (message[0] !== SIMPLE_QUERY || message.length > 1_024) return undefined;
  const text = Buffer.from(message.subarray(5)).toString('utf8').replace(/\0$/, '');
  const match = /^\s*(listen|unlisten)\s+("(?:[^"]|"")+"|[a-z_][a-z0-9_$]*|\*)\s*;?\s*$/i.exec(text);
  if (!match) return undefined;
  const kind = match[1]!.toLowerCase() as 'listen' | 'unlisten';
  const name = match[2]!;
  if (name === '*') return kind === 'unlisten' ? { kind, channel: '*' } : undefined;
  const channel = name.startsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : name.toLowerCase();
  return { kind, channel };
}

/** `LISTEN "channel"`, quoted. */
export function listenStatement(channel: string): string {
  return `LISTEN "${channel.replaceAll('"', '""')}"`;
}

function readInt32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

function readCString(bytes: Uint8Array, start: number, end: number): string {
  let stop = start;
  while (stop < end && bytes[stop] !== 0) stop++;
  return Buffer.from(bytes.subarray(start, stop)).toString('utf8');
}
