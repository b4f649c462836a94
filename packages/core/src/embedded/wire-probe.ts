/**
 * Checks that a Postgres wire-protocol server answers a query, without `pg`: connect, start up,
 * run `SELECT 1`, terminate. Used to tell a live embedded owner from an unreachable one.
 */
import { createConnection } from 'node:net';

/** Resolves when the server at host:port answered `SELECT 1`; rejects with the reason otherwise. */
export function probePostgres(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = createConnection({ host, port });
    let buffered = Buffer.alloc(0);
    let phase: 'startup' | 'query' = 'startup';
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => {});
      if (!error && socket.writable) socket.end(message('X', Buffer.alloc(0)));
      else socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', (error) => finish(error));
    socket.once('close', () => finish(new Error(`${host}:${port} closed the connection`)));
    socket.once('connect', () => socket.write(startupMessage()));
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (buffered.length < 5) return;
        const type = String.fromCharCode(buffered[0] ?? 0);
        const length = buffered.readInt32BE(1);
        if (length < 4) return finish(new Error(`${host}:${port} does not speak the Postgres protocol`));
        if (buffered.length < 1 + length) return;
        const body = buffered.subarray(5, 1 + length);
        buffered = buffered.subarray(1 + length);
        if (type === 'E') return finish(new Error(`server error: ${errorText(body)}`));
        if (type === 'Z') {
          if (phase === 'query') return finish();
          phase = 'query';
          socket.write(message('Q', Buffer.from('SELECT 1\0')));
        } else if (!'RSKCTDNIA1tn23'.includes(type)) {
          return finish(new Error(`${host}:${port} does not speak the Postgres protocol`));
        }
      }
    });
  });
}

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function startupMessage(): Buffer {
  const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
  const header = Buffer.alloc(8);
  header.writeInt32BE(params.length + 8, 0);
  header.writeInt32BE(196608, 4); // protocol 3.0
  return Buffer.concat([header, params]);
}

function errorText(body: Buffer): string {
  for (const field of body.toString('utf8').split('\0')) if (field.startsWith('M')) return field.slice(1);
  return 'unknown error';
}
