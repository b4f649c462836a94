/**
 * Where this process reaches the embedded database, kept current while owners come and go.
 *
 * The first process to need a data directory serves it and the others connect to it
 * (`connectEmbedded`). An owner may leave first: a short-lived CLI command that found no owner
 * serves the directory for as long as it runs, and a worker started meanwhile connects to it. Had
 * the worker kept the CLI's port, it would fail on every connection once the CLI exited. Instead,
 * when a connection to the owner fails or drops, the endpoint resolves the owner again: that finds
 * the next owner, or makes this process the owner once the old one has released the directory (or
 * is found dead), and new connections go there.
 *
 * Invariant: at most one resolution runs at a time; while it runs, callers that lost their
 * connection wait for it, so that their retry goes to the new owner.
 */
import { connectEmbedded, type ConnectEmbeddedOptions, type EmbeddedConnection } from './resolve-embedded-database.js';

export class EmbeddedEndpoint {
  private resolving: Promise<void> | undefined;
  private closed = false;

  private constructor(
    private readonly options: ConnectEmbeddedOptions,
    private current: EmbeddedConnection,
  ) {}

  /** Resolves the owner of `options.dataDir` (starting the server here when there is none). */
  static async open(options: ConnectEmbeddedOptions): Promise<EmbeddedEndpoint> {
    return new EmbeddedEndpoint(options, await connectEmbedded(options));
  }

  /** Where new connections go now. */
  get connectionString(): string {
    return this.current.connectionString;
  }

  /** True while this process serves the database. */
  get owned(): boolean {
    return this.current.owned;
  }

  /**
   * Called when a connection to the database failed or dropped. When another process served it,
   * resolves the owner again; the promise settles once new connections would go to the result.
   * Never rejects: a resolution that fails (no owner reachable yet) is logged, and the next lost
   * connection tries again. When this process is the owner, there is nothing to resolve.
   */
  connectionLost(): Promise<void> {
    if (this.closed || this.current.owned) return Promise.resolve();
    this.resolving ??= this.resolveAgain().finally(() => {
      this.resolving = undefined;
    });
    return this.resolving;
  }

  /** Stops the server when this process owns it; a client has nothing to release. */
  async close(): Promise<void> {
    this.closed = true;
    await this.resolving;
    await this.current.close();
  }

  private async resolveAgain(): Promise<void> {
    const previous = this.current.connectionString;
    try {
      const next = await connectEmbedded(this.options);
      if (this.closed) {
        await next.close();
        return;
      }
      this.current = next;
      if (next.owned) {
        this.options.logger?.info({ dataDir: this.options.dataDir, previous }, 'embedded database: its owner left; this process serves it now');
      } else if (next.connectionString !== previous) {
        this.options.logger?.info({ dataDir: this.options.dataDir, previous, now: next.connectionString }, 'embedded database: its owner changed');
      }
    } catch (error) {
      this.options.logger?.warn({ err: error, dataDir: this.options.dataDir }, 'embedded database: its owner is unreachable; retrying on the next connection');
    }
  }
}
