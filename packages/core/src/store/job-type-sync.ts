import { sql } from 'kysely';
import type { StoreContext } from './store-context.js';

/**
 * The job_types table remembers every namespaced id any registry has used, and its name. A registry
 * that maps a known id to another name (or a known name to another id) conflicts: the caller must
 * refuse to start, because jobs already stored under that id would run the wrong handler.
 */

export interface JobTypeEntry {
  id: number;
  /** `plugin.Job`. */
  name: string;
}

export interface JobTypeConflict {
  id: number;
  registryName: string;
  databaseName: string;
  /** `id`: the id is known under another name; `name`: the name is known under another id. */
  kind: 'id' | 'name';
  databaseId: number;
}

export interface JobTypeSyncResult {
  conflicts: JobTypeConflict[];
  /** Ids new to the database. */
  added: number[];
}

/** Records the registry's job types, unless one conflicts with what the database has seen. */
export async function jobTypeSync(context: StoreContext, entries: readonly JobTypeEntry[]): Promise<JobTypeSyncResult> {
  if (entries.length === 0) return { conflicts: [], added: [] };
  const { tables } = context;
  return context.db.transaction().execute(async (transaction) => {
    // Serialize registrations so two workers starting at once cannot both insert.
    await sql`lock table ${tables.jobTypes} in share row exclusive mode`.execute(transaction);
    const { rows } = await sql<{ id: number; name: string }>`
      select id, name from ${tables.jobTypes}
      where id = any(${sql.val(entries.map((entry) => entry.id))}::int[]) or name = any(${sql.val(entries.map((entry) => entry.name))}::text[])`.execute(transaction);
    const byId = new Map(rows.map((row) => [row.id, row.name]));
    const byName = new Map(rows.map((row) => [row.name, row.id]));
    const conflicts: JobTypeConflict[] = [];
    for (const entry of entries) {
      const knownName = byId.get(entry.id);
      if (knownName !== undefined && knownName !== entry.name) {
        conflicts.push({ id: entry.id, registryName: entry.name, databaseName: knownName, kind: 'id', databaseId: entry.id });
      }
      const knownId = byName.get(entry.name);
      if (knownId !== undefined && knownId !== entry.id) {
        conflicts.push({ id: entry.id, registryName: entry.name, databaseName: entry.name, kind: 'name', databaseId: knownId });
      }
    }
    if (conflicts.length > 0) return { conflicts, added: [] };
    const added = entries.filter((entry) => !byId.has(entry.id)).map((entry) => entry.id);
    await sql`
      insert into ${tables.jobTypes} (id, name)
      select * from unnest(${sql.val(entries.map((entry) => entry.id))}::int[], ${sql.val(entries.map((entry) => entry.name))}::text[])
      on conflict (id) do update set last_seen_at = now()`.execute(transaction);
    return { conflicts, added };
  });
}

export async function jobTypeList(context: StoreContext): Promise<{ id: number; name: string; firstSeenAt: Date; lastSeenAt: Date }[]> {
  const { rows } = await sql<{ id: number; name: string; first_seen_at: Date; last_seen_at: Date }>`
    select id, name, first_seen_at, last_seen_at from ${context.tables.jobTypes} order by id`.execute(context.db);
  return rows.map((row) => ({ id: row.id, name: row.name, firstSeenAt: row.first_seen_at, lastSeenAt: row.last_seen_at }));
}
