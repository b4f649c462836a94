import type { JobReference } from './job.js';
import type { Tables } from './tables.js';
import type { AnyKysely } from '../contract/any-kysely.js';

/** What every store operation needs: the database, the schema's tables and a few settings. */
export interface StoreContext {
  readonly db: AnyKysely;
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
