import type pg from 'pg';
import { queryRetrying } from '../audit.js';

/**
 * The database's deadlock count (`pg_stat_database.deadlocks`): scenarios read it before and after
 * a phase. Database-wide, so another client of the same database counts too. A backend reports
 * its statistics at most a second after its transaction: wait that long before the second read.
 */
export async function deadlockCount(pool: pg.Pool): Promise<number> {
  const { rows } = await queryRetrying<{ deadlocks: string }>(
    pool,
    // A fresh snapshot of the statistics (they are cached for the transaction otherwise).
    `select pg_stat_clear_snapshot(), (select deadlocks from pg_stat_database where datname = current_database()) as deadlocks`,
  );
  return Number(rows[0]!.deadlocks);
}
