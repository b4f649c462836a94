import net from 'node:net';

/**
 * A TCP proxy for tests that need a network to fail the way real ones do: `blackhole()` stops
 * forwarding the bytes of open connections in both directions without closing anything, as a
 * load balancer, NAT or firewall does when it forgets an idle connection. The sockets stay open
 * (this process's TCP stack still acknowledges what arrives, so TCP keepalive sees nothing wrong);
 * only a reply that never comes shows the connection is dead. New connections are forwarded as
 * usual.
 *
 * Each connection is tagged with the `application_name` of its Postgres startup message (sent in
 * the clear when SSL is off), so that a test can black-hole, say, only the workers' listeners.
 *
 * @example
 * ```ts
 * const proxy = await createTcpProxy({ target: 'postgres://postgres@127.0.0.1:5432/test' });
 * const worker = createWorker({ database: await openDatabase({ connectionString: proxy.connectionString }), … });
 * proxy.blackhole((connection) => connection.applicationName === 'jobby-listener');
 * ```
 */

export interface ProxiedConnection {
  readonly id: number;
  /** From the Postgres startup message; undefined until it arrived, or when it has none. */
  readonly applicationName: string | undefined;
  readonly openedAt: number;
  blackholed: boolean;
}

export interface TcpProxy {
  /** The target connection string with the proxy's host and port. */
  readonly connectionString: string;
  readonly port: number;
  /** Every connection made through the proxy so far (open or closed). */
  readonly connections: readonly ProxiedConnection[];
  /** Stops forwarding on the open connections that `filter` selects (all by default); returns how many. */
  blackhole(filter?: (connection: ProxiedConnection) => boolean): number;
  close(): Promise<void>;
}

function applicationNameOf(startup: Buffer): string | undefined {
  // Length (4 bytes), protocol version (4), then NUL-terminated key/value pairs.
  const fields = startup.subarray(8).toString('utf8').split('\u0000');
  const index = fields.indexOf('application_name');
  return index >= 0 ? fields[index + 1] : undefined;
}

export async function createTcpProxy(options: { target: string }): Promise<TcpProxy> {
  const target = new URL(options.target);
  const targetPort = Number(target.port || 5432);
  const connections: ProxiedConnection[] = [];
  const open = new Map<ProxiedConnection, { client: net.Socket; upstream: net.Socket }>();
  let nextId = 1;
  const server = net.createServer((client) => {
    const connection: ProxiedConnection = { id: nextId++, applicationName: undefined, openedAt: Date.now(), blackholed: false };
    connections.push(connection);
    const upstream = net.connect(targetPort, target.hostname);
    open.set(connection, { client, upstream });
    let first = true;
    client.on('data', (chunk: Buffer) => {
      if (first) {
        first = false;
        (connection as { applicationName: string | undefined }).applicationName = applicationNameOf(chunk);
      }
      if (!connection.blackholed) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!connection.blackholed) client.write(chunk);
    });
    const end = () => {
      open.delete(connection);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  const proxied = new URL(options.target);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);
  return {
    connectionString: proxied.toString(),
    port,
    connections,
    blackhole(filter = () => true) {
      let count = 0;
      for (const connection of open.keys()) {
        if (!connection.blackholed && filter(connection)) {
          connection.blackholed = true;
          count++;
        }
      }
      return count;
    },
    async close() {
      for (const { client, upstream } of open.values()) {
        client.destroy();
        upstream.destroy();
      }
      open.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
