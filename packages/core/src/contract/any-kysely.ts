import type { Kysely } from 'kysely';

/**
 * A Kysely instance over any database schema: jobby's own, or the application's (a transaction the
 * caller passes to `submit`, typed with the application's tables). jobby writes its SQL with `sql`
 * templates and never relies on the schema type, so it accepts every one.
 *
 * @example
 * ```ts
 * async function countRows(db: AnyKysely): Promise<number> {
 *   const { rows } = await sql<{ n: number }>`select count(*)::int as n from jobs`.execute(db);
 *   return rows[0]!.n;
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely<DB> is invariant in DB: only `any` accepts the application's Kysely<ItsTables> as well as jobby's
export type AnyKysely = Kysely<any>;
