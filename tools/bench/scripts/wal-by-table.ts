/**
 * WAL by table: reads an LSN range with `pg_waldump` and charges each record to the relation of
 * its first block reference (a heap, an index, a partition), and each transaction record (commit,
 * abort) to the commits of transactions that touched the schema. What is left (other schemas,
 * other sessions on a shared cluster, checkpoints, running-xacts) is counted apart, so the schema's
 * figure holds on a busy machine where the cluster-wide LSN difference does not.
 *
 * Needs pg_waldump (PG_WALDUMP, else /usr/lib/postgresql/<version>/bin/pg_waldump) and read access
 * to the cluster's pg_wal (superuser to ask for data_directory, and a local user that can read it).
 * Call before the schema is dropped: relation names come from pg_class.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type pg from 'pg';

export interface WalByTable {
  /** Bytes per relation of the schema (name → bytes), heaps and indexes apart, largest first. */
  relations: [string, number][];
  /** Transaction records (commits) of transactions that wrote the schema. */
  commitBytes: number;
  /** The schema's relations plus its commits. */
  schemaBytes: number;
  /** Everything else in the range (other schemas and sessions, checkpoints). */
  otherBytes: number;
  records: number;
}

function findWaldump(): string | undefined {
  if (process.env.PG_WALDUMP) return process.env.PG_WALDUMP;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  for (const version of readdirSync(root).sort().reverse()) {
    const path = `${root}/${version}/bin/pg_waldump`;
    if (existsSync(path)) return path;
  }
  return undefined;
}

// rmgr: Heap  len (rec/tot):  79/  79, tx:  1234, lsn: 0/01000028, prev 0/01000000, desc: INSERT …, blkref #0: rel 1663/5/16384 blk 0
const recordLine = /^rmgr: (\S+)\s+len \(rec\/tot\):\s*\d+\/\s*(\d+), tx:\s*(\d+),/;
const firstBlock = /blkref #0: rel \d+\/\d+\/(\d+)/;

export async function walByTable(pool: pg.Pool, schema: string, from: string, to: string): Promise<WalByTable | undefined> {
  const waldump = findWaldump();
  if (!waldump) return undefined;
  const dataDirectory = (await pool.query<{ data_directory: string }>('show data_directory')).rows[0]!.data_directory;
  const { rows } = await pool.query<{ filenode: string; name: string }>(
    `select c.relfilenode::text as filenode, c.relname || case when c.relkind = 'i' then ' (index)' else '' end as name
     from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relfilenode <> 0`,
    [schema],
  );
  const names = new Map(rows.map((row) => [row.filenode, row.name]));
  const byRelation = new Map<string, number>();
  const schemaTransactions = new Set<string>();
  const transactionBytes = new Map<string, number>();
  let otherBytes = 0;
  let records = 0;
  const child = spawn(waldump, ['-p', `${dataDirectory}/pg_wal`, '-s', from, '-e', to], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  for await (const line of createInterface({ input: child.stdout })) {
    const match = recordLine.exec(line);
    if (!match) continue;
    records++;
    const [, rmgr, total, xid] = match;
    const filenode = firstBlock.exec(line)?.[1];
    const bytes = Number(total);
    const name = filenode === undefined ? undefined : names.get(filenode);
    if (name !== undefined) {
      byRelation.set(name, (byRelation.get(name) ?? 0) + bytes);
      if (xid !== '0') schemaTransactions.add(xid!);
    } else if (rmgr === 'Transaction' && xid !== '0') {
      transactionBytes.set(xid!, (transactionBytes.get(xid!) ?? 0) + bytes);
    } else {
      otherBytes += bytes;
    }
  }
  const exitCode: number | null = await new Promise((resolve) => child.on('close', resolve));
  // pg_waldump exits 1 when the end position is the current insert position (it reads up to it).
  if (records === 0) throw new Error(`pg_waldump read no records (exit ${exitCode}): ${stderr.slice(0, 500)}`);
  let commitBytes = 0;
  for (const [xid, bytes] of transactionBytes) {
    if (schemaTransactions.has(xid)) commitBytes += bytes;
    else otherBytes += bytes;
  }
  const relations = [...byRelation].sort((a, b) => b[1] - a[1]);
  const schemaBytes = relations.reduce((sum, [, bytes]) => sum + bytes, 0) + commitBytes;
  return { relations, commitBytes, schemaBytes, otherBytes, records };
}

/** Row counts per table of the schema from pg_stat_user_tables (partitions by their own name). */
export async function tableCounts(pool: pg.Pool, schema: string): Promise<Map<string, { inserted: number; updated: number; hot: number; deleted: number }>> {
  const { rows } = await pool.query<{ relname: string; ins: string; upd: string; hot: string; del: string }>(
    `select relname, n_tup_ins as ins, n_tup_upd as upd, n_tup_hot_upd as hot, n_tup_del as del
     from pg_stat_user_tables where schemaname = $1`,
    [schema],
  );
  return new Map(rows.map((row) => [row.relname, { inserted: Number(row.ins), updated: Number(row.upd), hot: Number(row.hot), deleted: Number(row.del) }]));
}
