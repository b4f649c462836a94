import type { Tables } from '../store/tables.js';
import type { AnyKysely } from '../contract/any-kysely.js';

/** What every admin read needs: the database and the schema's tables. @internal */
export interface AdminContext {
  readonly db: AnyKysely;
  readonly tables: Tables;
}
