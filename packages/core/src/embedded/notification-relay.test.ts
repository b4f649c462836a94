import { describe, expect, it } from 'vitest';
import { NotificationRelay, listenStatement, parseListenStatement } from './notification-relay.js';

function query(text: string): Uint8Array {
  const body = Buffer.from(`${text}\0`, 'utf8');
  const message = Buffer.alloc(5 + body.length);
  message.write('Q');
  message.writeInt32BE(4 + body.length, 1);
  body.copy(message, 5);
  return message;
}

/** A backend message: type byte, length, body. */
function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type);
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}

function notification(channel: string, payload: string): Buffer {
  const pid = Buffer.alloc(4);
  pid.writeInt32BE(42);
  return message('A', Buffer.concat([pid, Buffer.from(`${channel}\0${payload}\0`, 'utf8')]));
}

const commandComplete = message('C', Buffer.from('SELECT 1\0'));
const readyForQuery = message('Z', Buffer.from('I'));

describe('parseListenStatement', () => {
  it('reads LISTEN and UNLISTEN with quoted, unquoted and * channels', () => {
    expect(parseListenStatement(query('LISTEN "jobby:jobby:jobs"'))).toEqual({ kind: 'listen', channel: 'jobby:jobby:jobs' });
    expect(parseListenStatement(query('  listen Some_Channel ; '))).toEqual({ kind: 'listen', channel: 'some_channel' });
    expect(parseListenStatement(query('UNLISTEN "a""b"'))).toEqual({ kind: 'unlisten', channel: 'a"b' });
    expect(parseListenStatement(query('unlisten *'))).toEqual({ kind: 'unlisten', channel: '*' });
    expect(parseListenStatement(query(listenStatement('we"ird:name')))).toEqual({ kind: 'listen', channel: 'we"ird:name' });
  });

  it('ignores everything else', () => {
    expect(parseListenStatement(query('LISTEN *'))).toBeUndefined();
    expect(parseListenStatement(query('LISTEN a; SELECT 1'))).toBeUndefined();
    expect(parseListenStatement(query("SELECT 'LISTEN a'"))).toBeUndefined();
    expect(parseListenStatement(message('P', Buffer.from('\0LISTEN a\0\0\0')))).toBeUndefined();
  });
});

describe('NotificationRelay.route', () => {
  it('moves each notification to the clients listening on its channel', () => {
    const relay = new NotificationRelay();
    const pushed: Record<number, Buffer[]> = { 1: [], 2: [], 3: [] };
    relay.listened(1, 'jobs', (data) => pushed[1]!.push(Buffer.from(data)));
    relay.listened(2, 'jobs', (data) => pushed[2]!.push(Buffer.from(data)));
    relay.listened(2, 'cancel', (data) => pushed[2]!.push(Buffer.from(data)));
    const reply = Buffer.concat([commandComplete, notification('jobs', 'a'), notification('cancel', 'b'), notification('nobody', 'c'), readyForQuery]);

    // Client 3 notified; it listens on nothing: it keeps only its own reply.
    expect(Buffer.from(relay.route(3, reply))).toEqual(Buffer.concat([commandComplete, readyForQuery]));
    expect(pushed[1]).toEqual([notification('jobs', 'a')]);
    expect(pushed[2]).toEqual([notification('jobs', 'a'), notification('cancel', 'b')]);

    // Client 1 notified; it listens on jobs: that one stays in its reply, in place.
    pushed[2] = [];
    expect(Buffer.from(relay.route(1, reply))).toEqual(Buffer.concat([commandComplete, notification('jobs', 'a'), readyForQuery]));
    expect(pushed[2]).toEqual([notification('jobs', 'a'), notification('cancel', 'b')]);
  });

  it('returns a reply without notifications untouched, and stops at a partial message', () => {
    const relay = new NotificationRelay();
    relay.listened(1, 'jobs', () => {});
    const plain = Buffer.concat([commandComplete, readyForQuery]);
    expect(relay.route(2, plain)).toBe(plain);
    const truncated = Buffer.concat([commandComplete, notification('jobs', 'a').subarray(0, 7)]);
    expect(relay.route(2, truncated)).toBe(truncated);
  });

  it('after an UNLISTEN, names the channels other clients still want', () => {
    const relay = new NotificationRelay();
    relay.listened(1, 'a', () => {});
    relay.listened(1, 'b', () => {});
    relay.listened(2, 'b', () => {});
    relay.listened(3, 'c', () => {});
    expect(relay.unlistened(1, 'a')).toEqual([]);
    expect(relay.unlistened(2, 'b')).toEqual(['b']);
    expect(relay.unlistened(1, '*').sort()).toEqual(['c']);
    relay.forget(3);
    expect(relay.unlistened(2, '*')).toEqual([]);
  });
});
