// eslint-disable-next-line @typescript-eslint/no-explicit-any
import type { Kysely } from 'kysely';
import type { JobReference } from './job.js';
import type { Tables } from './tables.js';

export interface SimpleQueryResult {
  command: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  rows: any[];
}

/** What every store operation needs: the database, the schema's tables and a few settings. */
export interface StoreContext {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Kysely<any>;
  readonly tables: Tables;
  /** NOTIFY channel that wakes workers. */
  readonly jobsChannel: string;
  /** NOTIFY channel that tells workers a running job was cancelled (payload: job id). */
  readonly cancelChannel: string;
  readonly defaultMaxAttempts: number;
  /**
   * Sends `text` as ONE simple-protocol query (no parameters; values inlined as literals, see
   * sql-literal.ts) and returns each statement's rows. Several statements in one simple query run
   * as one implicit transaction — each with its own snapshot under READ COMMITTED — in a single
   * round trip. Absent when the store was given only a Kysely instance: callers then fall back to
   * parameterized statements.
   */
  readonly simpleQuery?: (text: string) => Promise<SimpleQueryResult[]>;
  /** Names a job for error messages (`steam.FetchAppList:sentinel`). */
  describeReference(reference: JobReference): string;
}
