import type { JobState } from '@jobby/core';
import { Params, query, type AdminTables } from './tables.js';
import type { JobbyDatabase } from '@jobby/core';

/**
 * The job list: keyset pagination over filters that stay fast at millions of rows.
 *
 * Plans, chosen here rather than left to luck:
 * - newest/oldest first with a state and/or type filter: one ordered range scan of
 *   `jobs_admin_state_type_idx (state, type_id, id)` per (state, type) pair, combined with UNION ALL
 *   under the outer ORDER BY … LIMIT, which Postgres runs as a Merge Append that reads only about a
 *   page from each range — a page of a rare state costs the page, not a scan for it. Running jobs
 *   are not in that index (migration 0005): one more branch reads them all through
 *   `jobs_lease_idx` and sorts them (they are few);
 * - a key prefix: a range on job_keys' primary key (type_id, key) for every known type, when the
 *   key column's collation orders text by bytes (then the range is exactly the prefix): always
 *   since migration 0010 made it "C"; otherwise (an older schema under another collation) a LIKE
 *   filter only;
 * - no state/type filter: the primary key, newest first;
 * - sorted by finish time, or filtered on it: `jobs_admin_finished_idx`;
 * - a created-at range: ids grow with created_at, so a binary search over the primary key (about
 *   20 probes of one row each) finds the id window of the range, widened by `createdSlackMs` on both
 *   sides, and the exact created_at filter then runs inside that window only. created_at is the
 *   submitting transaction's start, so the id order can disagree with it by the length of a
 *   transaction: a job submitted by a transaction that stayed open longer than the slack (one hour)
 *   may be missed at the edges of a range. Without the window, a range weeks back scanned most of
 *   the table (~700 ms at 1,000,000 jobs).
 * Cursors are opaque (base64url JSON of the last row's sort key).
 */

export type JobSort = 'created' | '-created' | 'finished' | '-finished';
export const jobSorts: readonly JobSort[] = ['-created', 'created', '-finished', 'finished'];

export interface JobListQuery {
  states?: readonly JobState[];
  typeIds?: readonly number[];
  keyPrefix?: string;
  /** Inclusive lower and exclusive upper bound on `timeField`. */
  from?: Date;
  to?: Date;
  timeField: 'created' | 'finished';
  sort: JobSort;
  cursor?: JobCursor;
  limit: number;
}

/** The sort key of the last row of a page. `finishedUs`: microseconds since the epoch, exact. */
export interface JobCursor {
  id: string;
  finishedUs?: string;
}

export interface JobSummaryRow {
  id: string;
  type_id: number;
  key: string;
  state: JobState;
  attempts: number;
  max_attempts: number;
  priority: number;
  run_at: Date;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  finished_us: string | null;
  input_bytes: number;
  output_bytes: number | null;
  worker_id: string | null;
  pending_dependencies: number;
  dependency_count: number;
  error_code: string | null;
  error_message: string | null;
}

const summaryColumns = `id, type_id, key, state, attempts, max_attempts, priority, run_at, created_at, started_at, finished_at,
  (extract(epoch from finished_at) * 1000000)::bigint::text as finished_us, input_bytes, output_bytes, worker_id,
  pending_dependencies, dependency_count, last_error ->> 'code' as error_code, left(last_error ->> 'message', 300) as error_message`;

/** Beyond this many (state, type) pairs the merged plan stops paying off; fall back to one scan. */
const maxMergedRanges = 120;

export interface JobListEnvironment {
  tables: AdminTables;
  pool: JobbyDatabase['pool'];
  /** Every type id in job_types (the key-prefix plan needs them; the merged plan may). */
  allTypeIds: () => Promise<number[]>;
  keyRangeUsable: () => Promise<boolean>;
}

export async function listJobs(environment: JobListEnvironment, request: JobListQuery): Promise<{ rows: JobSummaryRow[]; nextCursor: JobCursor | undefined }> {
  const { tables } = environment;
  const params = new Params();
  const byFinished = request.sort === 'finished' || request.sort === '-finished';
  const descending = request.sort.startsWith('-');
  const direction = descending ? 'desc' : 'asc';
  const before = descending ? '<' : '>';
  const limit = params.add(request.limit + 1);

  // Conditions shared by every plan.
  const common: string[] = [];
  if (request.keyPrefix !== undefined) {
    common.push(`key like ${params.add(`${escapeLike(request.keyPrefix)}%`)}`);
  }
  const timeColumn = request.timeField === 'finished' ? 'finished_at' : 'created_at';
  if (request.from) common.push(`${timeColumn} >= ${params.add(request.from)}`);
  if (request.to) common.push(`${timeColumn} < ${params.add(request.to)}`);
  if (request.timeField === 'created' && (request.from || request.to)) {
    const window = await createdIdWindow(environment, request.from, request.to);
    if (window.from !== undefined) common.push(`id >= ${params.add(window.from)}::bigint`);
    if (window.to !== undefined) common.push(`id < ${params.add(window.to)}::bigint`);
  }
  if (byFinished || request.timeField === 'finished') common.push('finished_at is not null');
  if (request.cursor) {
    if (byFinished) {
      common.push(
        `(finished_at, id) ${before} (timestamptz 'epoch' + ${params.add(request.cursor.finishedUs ?? '0')}::bigint * interval '1 microsecond', ${params.add(request.cursor.id)}::bigint)`,
      );
    } else {
      common.push(`id ${before} ${params.add(request.cursor.id)}::bigint`);
    }
  }
  const orderBy = byFinished ? `finished_at ${direction}, id ${direction}` : `id ${direction}`;

  let text: string;
  const filtered = (request.states?.length ?? 0) > 0 || (request.typeIds?.length ?? 0) > 0;
  if (request.keyPrefix !== undefined && request.keyPrefix.length > 0 && (await environment.keyRangeUsable())) {
    // Key prefix: ranges on job_keys' primary key (type_id, key), one per type, then the jobs by id.
    const typeIds = request.typeIds?.length ? request.typeIds : await environment.allTypeIds();
    const keyConditions = [`k.type_id = any(${params.add(typeIds)}::int[])`, `k.key >= ${params.add(request.keyPrefix)}`];
    const upper = prefixUpperBound(request.keyPrefix);
    if (upper !== undefined) keyConditions.push(`k.key < ${params.add(upper)}`);
    const conditions = [...common, `id in (select k.job_id from ${tables.jobKeys} k where ${keyConditions.join(' and ')})`];
    if (request.states?.length) conditions.push(`state = any(${params.add(request.states)}::${tables.jobState}[])`);
    text = `select ${summaryColumns} from ${tables.jobs} where ${conditions.join(' and ')} order by ${orderBy} limit ${limit}`;
  } else if (!byFinished && filtered) {
    const states = request.states?.length ? request.states : (['queued', 'waiting', 'running', 'succeeded', 'failed', 'cancelled'] as const);
    const typeIds = request.typeIds?.length ? request.typeIds : await environment.allTypeIds();
    const where = common.length > 0 ? ` and ${common.join(' and ')}` : '';
    const branches: string[] = [];
    // Running jobs are not in jobs_admin_state_type_idx (migration 0005): one branch reads them
    // through jobs_lease_idx — they are few, at most the workers' concurrency plus prefetch — and
    // sorts them.
    if (states.includes('running')) {
      branches.push(
        `(select ${summaryColumns} from ${tables.jobs} where state = 'running' and type_id = any(${params.add(typeIds)}::int[])${where} order by id ${direction} limit ${limit})`,
      );
    }
    const indexed = states.filter((state) => state !== 'running');
    if (indexed.length * typeIds.length <= maxMergedRanges) {
      for (const state of indexed) {
        for (const typeId of typeIds) {
          branches.push(`(select ${summaryColumns} from ${tables.jobs} where state = '${state}' and type_id = ${Number(typeId)}${where} order by id ${direction} limit ${limit})`);
        }
      }
    } else {
      const conditions = [...common, `state = any(${params.add(indexed)}::${tables.jobState}[])`, `type_id = any(${params.add(typeIds)}::int[])`];
      branches.push(`(select ${summaryColumns} from ${tables.jobs} where ${conditions.join(' and ')} order by id ${direction} limit ${limit})`);
    }
    text = `select * from (${branches.join('\nunion all\n')}) merged order by id ${direction} limit ${limit}`;
  } else {
    const conditions = [...common];
    if (request.states?.length) conditions.push(`state = any(${params.add(request.states)}::${tables.jobState}[])`);
    if (request.typeIds?.length) conditions.push(`type_id = any(${params.add(request.typeIds)}::int[])`);
    text = `select ${summaryColumns} from ${tables.jobs}${conditions.length > 0 ? ` where ${conditions.join(' and ')}` : ''} order by ${orderBy} limit ${limit}`;
  }

  const rows = await query<JobSummaryRow>(environment.pool, text, params.values);
  const page = rows.slice(0, request.limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > request.limit && last ? { id: String(last.id), ...(byFinished ? { finishedUs: last.finished_us ?? '0' } : {}) } : undefined;
  return { rows: page, nextCursor };
}

export const createdSlackMs = 3_600_000;

/** The id window holding the jobs created in [from, to), widened by the slack (see the header). */
async function createdIdWindow(environment: JobListEnvironment, from: Date | undefined, to: Date | undefined): Promise<{ from?: string; to?: string }> {
  const [lower, upper] = await Promise.all([
    from ? firstIdCreatedAtOrAfter(environment, new Date(from.getTime() - createdSlackMs)) : undefined,
    to ? firstIdCreatedAtOrAfter(environment, new Date(to.getTime() + createdSlackMs)) : undefined,
  ]);
  return { from: lower ?? undefined, to: upper ?? undefined };
}

/**
 * Binary search over the primary key for the first id whose created_at is at or after `time`,
 * assuming created_at grows with id (see the header). Null: the table is empty.
 */
async function firstIdCreatedAtOrAfter(environment: JobListEnvironment, time: Date): Promise<string | null> {
  const { jobs } = environment.tables;
  const rows = await query<{ id: string | null }>(
    environment.pool,
    `with recursive search(lo, hi, steps) as (
       select (select min(id) from ${jobs}), (select max(id) from ${jobs}) + 1, 0
       union all
       select case when probe.created_at < $1 then least(probe.id + 1, s.hi) else s.lo end,
              case when probe.created_at < $1 then s.hi else s.mid end,
              s.steps + 1
       from (select lo, hi, steps, (lo + hi) / 2 as mid from search where lo < hi and steps < 80) s
       left join lateral (select id, created_at from ${jobs} where id >= s.mid order by id limit 1) probe on true
     )
     select lo::text as id from search order by steps desc limit 1`,
    [time],
  );
  return rows[0]?.id ?? null;
}

/** The least string above every string that starts with `prefix`, in code point (= UTF-8 byte) order. */
export function prefixUpperBound(prefix: string): string | undefined {
  const codePoints = [...prefix];
  while (codePoints.length > 0) {
    const last = codePoints.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return codePoints.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

export function encodeCursor(cursor: JobCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Parses a cursor from a query string; undefined when malformed (the caller answers 400). */
export function decodeCursor(text: string): JobCursor | undefined {
  if (text.length > 200 || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const { id, finishedUs } = value as Record<string, unknown>;
    if (typeof id !== 'string' || !/^\d{1,18}$/.test(id)) return undefined;
    if (finishedUs !== undefined && (typeof finishedUs !== 'string' || !/^-?\d{1,18}$/.test(finishedUs))) return undefined;
    return { id, ...(finishedUs !== undefined ? { finishedUs } : {}) };
  } catch {
    return undefined;
  }
}
