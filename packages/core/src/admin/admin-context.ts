// eslint-disable-next-line @typescript-eslint/no-explicit-any
import type { Kysely } from 'kysely';
import type { Tables } from '../store/tables.js';

/** What every admin read needs: the database and the schema's tables. @internal */
export interface AdminContext {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Kysely<any>;
  readonly tables: Tables;
}
