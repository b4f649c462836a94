import pg from 'pg';

/**
 * A dedicated connection that LISTENs for wake-ups and cancellations. It reconnects with backoff
 * when Postgres restarts or the connection drops; meanwhile workers keep polling, so a lost
 * notification delays work by at most one poll interval and never loses it.
 */

export interface NotificationListenerOptions {
  /** Read at every (re)connection: the embedded database's address changes with its owner. */
  connectionString: () => string;
  channels: readonly string[];
  onNotification: (channel: string, payload: string | undefined) => void;
  /** Called after every (re)connection: notifications may have been missed meanwhile. */
  onConnected: () => void;
  onError: (error: unknown) => void;
}

export class NotificationListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: NotificationListenerOptions) {}

  start(): void {
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.options.connectionString(), connectionTimeoutMillis: 10_000, application_name: 'jobby-listener' });
    let settled = false;
    const lost = (error: unknown) => {
      if (settled) return;
      settled = true;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => {});
      if (this.stopped) return;
      this.options.onError(error);
      this.failures++;
      const delay = Math.min(30_000, 250 * 2 ** Math.min(this.failures, 7));
      this.retryTimer = setTimeout(() => void this.connect(), delay * (0.75 + Math.random() * 0.5));
    };
    client.on('error', lost);
    client.on('end', () => lost(new Error('notification connection closed')));
    client.on('notification', (message) => this.options.onNotification(message.channel, message.payload));
    try {
      await client.connect();
      for (const channel of this.options.channels) await client.query(`listen "${channel.replace(/"/g, '""')}"`);
      if (this.stopped) {
        settled = true;
        await client.end().catch(() => {});
        return;
      }
      this.client = client;
      this.failures = 0;
      this.options.onConnected();
    } catch (error) {
      lost(error);
    }
  }
}
