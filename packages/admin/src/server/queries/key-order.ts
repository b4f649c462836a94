import type { JobbyDatabase } from '@jobby/core/store';
import { query, type AdminTables } from './tables.js';

/** Collations whose order is the order of the bytes (for UTF-8 text, of the code points). */
const byteOrderCollations = new Set(['C', 'POSIX', 'C.UTF-8', 'C.utf8']);

/**
 * Whether `job_keys.key` orders text by bytes, so that a key-prefix filter can be a range on
 * job_keys' primary key (job-list.ts). The column's own collation decides: "C" since migration
 * 0010; before it, the database's. False when the question cannot be answered: the list then
 * filters with LIKE, which is always correct.
 */
export async function keyOrderedByBytes(pool: JobbyDatabase['pool'], tables: Pick<AdminTables, 'jobKeys'>): Promise<boolean> {
  try {
    const rows = await query<{ collation: string }>(
      pool,
      `select case when c.collname = 'default' then d.datcollate else c.collname end as collation
       from pg_attribute a
       join pg_collation c on c.oid = a.attcollation
       join pg_database d on d.datname = current_database()
       where a.attrelid = to_regclass($1) and a.attname = 'key'`,
      [tables.jobKeys],
    );
    return byteOrderCollations.has(rows[0]?.collation ?? '');
  } catch {
    return false;
  }
}
