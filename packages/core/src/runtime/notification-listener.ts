import pg from 'pg';
import { backoffDelay, type BackoffOptions } from './backoff.js';

/**
 * A dedicated connection that LISTENs for wake-ups and cancellations. It reconnects with backoff
 * when Postgres restarts or the connection drops; meanwhile workers keep polling, so a lost
 * notification delays work by at most one poll interval and never loses it.
 *
 * A connection can also die silently: a load balancer, NAT or firewall that forgets an idle
 * connection drops its packets without closing anything, and a listener only ever reads, so
 * nothing fails. Before issue 16 such a listener was never noticed: workers fell back to polling
 * for good (pickups p50 1.3 s, max 2.4 s, against milliseconds) and a cancelled job ran on until
 * the lease keeper saw it (~8 s). Two defences now:
 * - TCP keepalive on the socket, so that an idle connection carries traffic (and a middlebox that
 *   drops idle connections after a minute or more keeps it) and a peer that is gone for good is
 *   noticed by the operating system eventually;
 * - a round trip (`select 1`) every `healthCheckIntervalMs`: when the answer does not come within
 *   `healthCheckTimeoutMs`, the socket is destroyed and the listener reconnects, LISTENs again and
 *   calls `onConnected` (where the worker polls at once and checks its leases, so that nothing
 *   missed meanwhile waits). A dead connection is replaced within interval + timeout (5 s by
 *   default) plus the first reconnection delay.
 */

/** Reconnection waits: 250–500 ms after the first failure, doubling up to 30 s. */
const reconnectBackoff: BackoffOptions = { baseMs: 500, maxMs: 30_000 };

export interface NotificationListenerOptions {
  /** Read at every (re)connection: the embedded database's address changes with its owner. */
  connectionString: () => string;
  channels: readonly string[];
  onNotification: (channel: string, payload: string | undefined) => void;
  /** Called after every (re)connection: notifications may have been missed meanwhile. */
  onConnected: () => void;
  onError: (error: unknown) => void;
  /** How often the connection is checked with a round trip. Default 3,000 ms. */
  healthCheckIntervalMs?: number;
  /** How long that round trip (and connecting and LISTENing) may take before the connection is given up. Default 2,000 ms. */
  healthCheckTimeoutMs?: number;
}

/** The socket under a pg client: destroying it is the only way out of a connection that never answers. */
function destroySocket(client: pg.Client): void {
  (client.connection as unknown as { stream?: { destroy(): void } }).stream?.destroy();
}

export class NotificationListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private readonly healthCheckIntervalMs: number;
  private readonly healthCheckTimeoutMs: number;

  constructor(private readonly options: NotificationListenerOptions) {
    this.healthCheckIntervalMs = options.healthCheckIntervalMs ?? 3_000;
    this.healthCheckTimeoutMs = options.healthCheckTimeoutMs ?? 2_000;
  }

  start(): void {
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.healthTimer) clearInterval(this.healthTimer);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    // A graceful end, bounded: over a dead connection the server's goodbye never comes.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([client.end().catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, this.healthCheckTimeoutMs)))]);
    clearTimeout(timer);
    destroySocket(client);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.options.connectionString(),
      connectionTimeoutMillis: 10_000,
      application_name: 'jobby-listener',
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    let settled = false;
    const lost = (error: unknown) => {
      if (settled) return;
      settled = true;
      if (this.client === client) this.client = undefined;
      if (this.healthTimer) clearInterval(this.healthTimer);
      this.healthTimer = undefined;
      client.end().catch(() => {});
      destroySocket(client);
      if (this.stopped) return;
      this.options.onError(error);
      this.failures++;
      this.retryTimer = setTimeout(() => void this.connect(), backoffDelay(this.failures, reconnectBackoff));
    };
    /** Gives the connection up when `step` does not finish in time (the socket may never answer). */
    const bounded = async <T>(step: Promise<T>, timeoutMs: number, what: string): Promise<T> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          // ETIMEDOUT: a transient condition (the worker logs it as such and goes on polling).
          reject(Object.assign(new Error(`notification connection: ${what} took longer than ${timeoutMs} ms; reconnecting`), { code: 'ETIMEDOUT' }));
        }, timeoutMs);
      });
      try {
        return await Promise.race([step, timeout]);
      } finally {
        clearTimeout(timer);
      }
    };
    client.on('error', lost);
    client.on('end', () => lost(new Error('notification connection closed')));
    client.on('notification', (message) => this.options.onNotification(message.channel, message.payload));
    try {
      await client.connect();
      for (const channel of this.options.channels) {
        await bounded(client.query(`listen "${channel.replace(/"/g, '""')}"`), this.healthCheckTimeoutMs, 'LISTEN');
      }
      if (this.stopped || settled) {
        settled = true;
        await client.end().catch(() => {});
        return;
      }
      this.client = client;
      this.failures = 0;
      let checking = false;
      this.healthTimer = setInterval(() => {
        if (checking || settled) return;
        checking = true;
        bounded(client.query('select 1'), this.healthCheckTimeoutMs, 'a round trip (select 1)')
          .catch(lost)
          .finally(() => {
            checking = false;
          });
      }, this.healthCheckIntervalMs);
      this.healthTimer.unref();
      this.options.onConnected();
    } catch (error) {
      lost(error);
    }
  }
}
