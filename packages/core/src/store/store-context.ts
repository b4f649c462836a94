// eslint-disable-next-line @typescript-eslint/no-explicit-any
import type { Kysely } from 'kysely';
import type { JobReference } from './job.js';
import type { Tables } from './tables.js';

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
   * Whether batch enqueues on the store's own pool first try the function for all-new batches
   * (job-enqueue.ts): off after a batch met an existing pair, on again after one that was all new.
   */
  readonly enqueue: { expectNew: boolean };
  /** Names a job for error messages (`steam.FetchAppList:sentinel`). */
  describeReference(reference: JobReference): string;
  /** Names a job type for error messages (`steam.FetchAppList`). */
  describeType(typeId: number): string;
}
