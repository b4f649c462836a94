import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { testPostgresUrl } from '../testing/test-database.js';
import { createTcpProxy, type TcpProxy } from '../testing/tcp-proxy.js';
import { until } from '../testing/until.js';
import { NotificationListener } from './notification-listener.js';

/**
 * A listener whose connection goes silent — a proxy stops forwarding its bytes without closing
 * anything, as a load balancer or firewall does with a connection it forgot — notices it by a
 * round trip that gets no answer, reconnects, LISTENs again and says so (onConnected), and
 * receives notifications again. Before issue 16 it waited on the dead connection forever.
 */
describe('notification listener over a black-holed connection, on real Postgres', () => {
  let proxy: TcpProxy | undefined;
  let listener: NotificationListener | undefined;
  afterEach(async () => {
    await listener?.stop();
    await proxy?.close();
  });

  it('reconnects within the health check bound and receives notifications again', async () => {
    proxy = await createTcpProxy({ target: testPostgresUrl() });
    const channel = `jobby_listener_test_${process.pid}`;
    const received: string[] = [];
    const errors: unknown[] = [];
    let connections = 0;
    listener = new NotificationListener({
      connectionString: () => proxy!.connectionString,
      channels: [channel],
      onNotification: (_channel, payload) => received.push(payload ?? ''),
      onConnected: () => connections++,
      onError: (error) => errors.push(error),
      healthCheckIntervalMs: 200,
      healthCheckTimeoutMs: 300,
    });
    listener.start();
    const notifier = new pg.Client({ connectionString: testPostgresUrl() });
    await notifier.connect();
    try {
      await until('the listener to connect', async () => connections === 1, 5_000);
      await notifier.query(`select pg_notify($1, 'before')`, [channel]);
      await until('the first notification', async () => received.includes('before'), 5_000);

      expect(proxy.blackhole()).toBe(1);
      await notifier.query(`select pg_notify($1, 'lost')`, [channel]);
      // interval + timeout + the first reconnection delay (≤ 625 ms) is ~1.1 s; slack for a busy machine
      await until('the listener to reconnect', async () => connections === 2, 5_000);
      expect(errors.map((error) => (error as { code?: string }).code)).toContain('ETIMEDOUT');
      expect(received).not.toContain('lost');
      await notifier.query(`select pg_notify($1, 'after')`, [channel]);
      await until('a notification after the reconnection', async () => received.includes('after'), 5_000);
      // A new connection through the proxy, and the listener is on it.
      expect(proxy.connections.filter((connection) => connection.applicationName === 'jobby-listener')).toHaveLength(2);
    } finally {
      await notifier.end();
    }
  });
});
