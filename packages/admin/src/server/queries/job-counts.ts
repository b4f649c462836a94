import type { JobbyDatabase, JobState } from '@jobby/core';
import { query, type AdminTables } from './tables.js';

/**
 * Counts of jobs per type and state, for the overview and the per-type page.
 *
 * An exact count reads one index entry per job: ~400 ms for 1,000,000 jobs on the 2-core test
 * machine, too slow for every page view. The active and failed states are few rows and are counted
 * live on every request, from `jobs_admin_state_type_idx` (running jobs from `jobs_lease_idx`).
 * Succeeded jobs — the bulk of a long-lived table — are counted exactly too, but at most every
 * `refreshMs` (30 s), in the background, and the answer says when (`succeededCountedAt`). Small
 * tables (under `liveThreshold` rows by the planner's estimate) are counted entirely live.
 */

export interface CountRow {
  typeId: number;
  state: JobState;
  count: number;
}

export interface CountsResult {
  rows: CountRow[];
  /** When the succeeded counts were taken; null when everything is live. */
  succeededCountedAt: Date | null;
}

const liveStates: readonly JobState[] = ['queued', 'waiting', 'running', 'failed', 'cancelled'];

export class CountsCache {
  private succeeded: { rows: CountRow[]; countedAt: Date } | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly pool: JobbyDatabase['pool'],
    private readonly tables: AdminTables,
    private readonly options: { refreshMs?: number; liveThreshold?: number } = {},
  ) {}

  async counts(): Promise<CountsResult> {
    const estimate = await this.estimatedRows();
    if (estimate < (this.options.liveThreshold ?? 200_000)) {
      return { rows: await this.count(null), succeededCountedAt: null };
    }
    const [live] = await Promise.all([this.count(liveStates), this.ensureSucceeded()]);
    const succeeded = this.succeeded!;
    return { rows: [...live, ...succeeded.rows].sort((a, b) => a.typeId - b.typeId), succeededCountedAt: succeeded.countedAt };
  }

  /** Drops the cached succeeded counts (after a bulk change, or in tests). */
  invalidate(): void {
    this.succeeded = undefined;
  }

  private async ensureSucceeded(): Promise<void> {
    const refreshMs = this.options.refreshMs ?? 30_000;
    const stale = !this.succeeded || Date.now() - this.succeeded.countedAt.getTime() > refreshMs;
    if (stale && !this.refreshing) {
      this.refreshing = (async () => {
        const countedAt = new Date();
        const rows = await this.count(['succeeded']);
        this.succeeded = { rows, countedAt };
      })().finally(() => {
        this.refreshing = undefined;
      });
    }
    // Stale-while-revalidate: only the very first request waits for the count.
    if (!this.succeeded) await this.refreshing;
    else this.refreshing?.catch(() => {});
  }

  private async estimatedRows(): Promise<number> {
    const rows = await query<{ estimate: number }>(this.pool, `select reltuples::float8 as estimate from pg_class where oid = $1::regclass`, [this.tables.jobs]);
    return rows[0]?.estimate ?? 0;
  }

  private async count(states: readonly JobState[] | null): Promise<CountRow[]> {
    const { jobs, jobState } = this.tables;
    const countQuery = (where: string, params: unknown[]) =>
      query<{ type_id: number; state: JobState; count: string }>(this.pool, `select type_id, state, count(*) as count from ${jobs}${where} group by state, type_id`, params);
    let rows: { type_id: number; state: JobState; count: string }[];
    if (states === null) rows = await countQuery('', []);
    else {
      // Running jobs are not in jobs_admin_state_type_idx (migration 0005): they are counted
      // through jobs_lease_idx, in a query of their own, so that the other states keep the index.
      // Two statements rather than a UNION ALL, which Postgres ran as a parallel plan whose
      // workers cost more to start than the counts (65 instead of ~8 ms at 1,000,000 jobs).
      const indexed = states.filter((state) => state !== 'running');
      const parts = await Promise.all([
        indexed.length > 0 ? countQuery(` where state = any($1::${jobState}[])`, [indexed]) : [],
        states.includes('running') ? countQuery(` where state = 'running'`, []) : [],
      ]);
      rows = parts.flat();
    }
    return rows.map((row) => ({ typeId: row.type_id, state: row.state, count: Number(row.count) }));
  }
}
