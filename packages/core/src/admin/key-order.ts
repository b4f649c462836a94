import { sql } from 'kysely';
import type { AdminContext } from './admin-context.js';

/** Collations whose order is the order of the bytes (for UTF-8 text, of the code points). */
const byteOrderCollations = new Set(['C', 'POSIX', 'C.UTF-8', 'C.utf8', 'ucs_basic']);

/**
 * Whether `jobs.key` orders text by bytes, so that a key-prefix filter can be a range on
 * jobs_identity (job-list.ts). The baseline gives the column collation "C"; this checks the
 * schema as it is (a column altered by hand falls back to LIKE, which is always correct). False
 * when the question cannot be answered.
 */
export async function keyOrderedByBytes(context: AdminContext): Promise<boolean> {
  try {
    const { rows } = await sql<{ collation: string }>`
      select case when c.collname = 'default' then d.datcollate::text else c.collname::text end as collation
      from pg_attribute a
      join pg_collation c on c.oid = a.attcollation
      join pg_database d on d.datname = current_database()
      where a.attrelid = to_regclass(${`"${context.tables.schema}".jobs`}) and a.attname = 'key'`.execute(context.db);
    return byteOrderCollations.has(rows[0]?.collation ?? '');
  } catch {
    return false;
  }
}
