import { sql, type RawBuilder } from 'kysely';
import { JobbyError } from '../errors.js';
import type { JobState } from '../store/job.js';
import type { AdminContext } from './admin-context.js';
import { currentOutcome, finalOutcomeIn, splitStates, type FinishedState } from './job-state-sources.js';

/**
 * The job list: keyset pagination, newest (or oldest) first, over filters that stay fast at tens
 * of millions of finished jobs. Two steps: find the page's job ids from the table that holds each
 * state (below), then read those ≤ 501 jobs whole from job_snapshots (primary-key probes).
 *
 * Plans, by filter, and the index that serves each:
 * - no state filter, by creation: the records, `jobs_pkey` backwards (a type filter is checked on
 *   each record: a page of a type that is 1 % of the jobs reads ~5,000 records);
 * - a state filter, by creation: one branch per source under UNION ALL and the outer
 *   ORDER BY id LIMIT (a Merge Append that reads about a page of each): queued/waiting from
 *   job_queue (`job_queue_pkey`), running from job_running (`job_running_pkey`), succeeded from
 *   `job_outcomes_job_idx` backwards (final outcomes that are still their job's state), failed and
 *   cancelled from `job_outcomes_unsuccessful_idx` (migration 0002: a partial index holding only
 *   final outcomes that are not successes);
 * - a key prefix: a range on `jobs_identity (type_id, key)` for every type (the key column has
 *   collation "C", so the range is exactly the prefix; if an altered column sorts otherwise, a
 *   LIKE filter on the records instead), states then read from the candidates' snapshots;
 * - by finish time, failed/cancelled only: `job_outcomes_failed_idx (finished_at)`;
 * - by finish time with succeeded jobs: windows of `job_outcomes_finished_brin`, 1 minute back
 *   from the cursor, then 8×, 64×, … until one holds a page — a BRIN index costs the append
 *   nothing, and a window costs the outcomes in it (the first window that holds a page holds at
 *   most ~8 pages' worth when completions are steady);
 * - a created-at range: ids grow with created_at, so a binary search over `jobs_pkey` (~25 probes
 *   of one row) finds the id window of the range, widened by `createdSlackMs` on both sides, and
 *   the exact filter runs inside it. created_at is the submitting transaction's start: a job
 *   submitted by a transaction that stayed open longer than the slack (one hour) may be missed
 *   at the edges of a range.
 * Jobs that keep no history (ephemeral, or pruned) are not listed once finished.
 * Cursors are the last row's sort key (`JobListCursor`); the caller encodes them.
 */

export type JobListSort = 'created' | '-created' | 'finished' | '-finished';
export const jobListSorts: readonly JobListSort[] = ['-created', 'created', '-finished', 'finished'];

export interface JobListParams {
  states?: readonly JobState[];
  /**
   * With `states: ['queued']` only: the queued jobs waiting for their run-at time that never ran
   * (`scheduled`: `attempts = 0 and run_at > now()`), or that ran before and wait to run again
   * (`retrying`: `attempts > 0`, in backoff or due). Read from job_queue.
   */
  queued?: 'scheduled' | 'retrying';
  typeIds?: readonly number[];
  keyPrefix?: string;
  /** Inclusive lower and exclusive upper bound on `timeField`. */
  from?: Date;
  to?: Date;
  timeField?: 'created' | 'finished';
  sort?: JobListSort;
  cursor?: JobListCursor;
  /** Jobs per page, 1–500. */
  limit: number;
}

/** The sort key of the last job of a page. `finishedUs`: microseconds since the epoch, exact. */
export interface JobListCursor {
  id: string;
  finishedUs?: string;
}

/** A job as the list shows it: no payloads, the error's code and the start of its message. */
export interface JobSummary {
  id: string;
  typeId: number;
  key: string;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  priority: number;
  runAt: Date;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  inputBytes: number;
  outputBytes: number | null;
  workerId: string | null;
  pendingDependencies: number;
  dependencyCount: number;
  /** The last error: its code and the first 300 characters of its message. */
  error: { code: string | null; message: string } | null;
}

export interface JobListResult {
  jobs: JobSummary[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  nextCursor?: JobListCursor;
}

export const createdSlackMs = 3_600_000;

interface SummaryRow {
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

export async function jobList(context: AdminContext, params: JobListParams, environment: JobListEnvironment): Promise<JobListResult> {
  if (params.queued && (params.states?.length !== 1 || params.states[0] !== 'queued')) {
    throw new JobbyError('INVALID_ARGUMENT', `queued: '${params.queued}' needs states: ['queued']`);
  }
  const limit = Math.min(Math.max(Math.trunc(params.limit), 1), 500);
  const request: Required<Pick<JobListParams, 'timeField' | 'sort'>> & JobListParams = { timeField: 'created', sort: '-created', ...params, limit };
  const byFinished = request.sort === 'finished' || request.sort === '-finished';
  const { finished } = splitStates(request.states);
  let ids: string[];
  if (byFinished || request.timeField === 'finished') {
    ids = finished.length === 0 ? [] : await finishedIds(context, request, finished, environment);
  } else {
    ids = await createdIds(context, request, environment);
  }
  const rows = await summaries(context, ids);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? { id: String(last.id), ...(byFinished ? { finishedUs: last.finished_us ?? '0' } : {}) } : undefined;
  return { jobs: page.map(toSummary), ...(nextCursor ? { nextCursor } : {}) };
}

/** What the list needs besides the params (cached by the caller: both rarely change). @internal */
export interface JobListEnvironment {
  /** Every type id in job_types (the key-prefix range needs one per type). */
  allTypeIds(): Promise<readonly number[]>;
  /** Whether jobs.key orders by bytes (see key-order.ts). */
  keyRangeUsable(): Promise<boolean>;
}

/** Conditions on a job id column shared by every plan: the cursor and the created-at id window. */
async function idConditions(context: AdminContext, request: JobListParams & { sort: JobListSort; timeField: string }, column: string): Promise<RawBuilder<unknown>[]> {
  const conditions: RawBuilder<unknown>[] = [];
  const ref = sql.ref(column);
  const descending = request.sort.startsWith('-');
  if (request.cursor && (request.sort === 'created' || request.sort === '-created')) {
    conditions.push(descending ? sql`${ref} < ${request.cursor.id}::bigint` : sql`${ref} > ${request.cursor.id}::bigint`);
  }
  if (request.timeField === 'created' && (request.from || request.to)) {
    const [lower, upper] = await Promise.all([
      request.from ? firstIdCreatedAtOrAfter(context, new Date(request.from.getTime() - createdSlackMs)) : undefined,
      request.to ? firstIdCreatedAtOrAfter(context, new Date(request.to.getTime() + createdSlackMs)) : undefined,
    ]);
    if (lower) conditions.push(sql`${ref} >= ${lower}::bigint`);
    if (upper) conditions.push(sql`${ref} < ${upper}::bigint`);
  }
  return conditions;
}

/** The exact created-at filter, on the records `j` (inside the id window). */
function createdConditions(request: JobListParams & { timeField: string }): RawBuilder<unknown>[] {
  if (request.timeField !== 'created') return [];
  const conditions: RawBuilder<unknown>[] = [];
  if (request.from) conditions.push(sql`j.created_at >= ${request.from}`);
  if (request.to) conditions.push(sql`j.created_at < ${request.to}`);
  return conditions;
}

/** Records whose key starts with the prefix: a range per type on jobs_identity, or LIKE. */
async function keyPrefixCondition(context: AdminContext, request: JobListParams, environment: JobListEnvironment): Promise<RawBuilder<unknown> | undefined> {
  const prefix = request.keyPrefix;
  if (prefix === undefined || prefix.length === 0) return undefined;
  const like = sql`j.key like ${`${escapeLike(prefix)}%`}`;
  if (!(await environment.keyRangeUsable())) return like;
  const typeIds = request.typeIds?.length ? request.typeIds : await environment.allTypeIds();
  const upper = prefixUpperBound(prefix);
  return sql`j.type_id = any(${sql.val(typeIds)}::int[]) and j.key >= ${prefix}${upper === undefined ? sql`` : sql` and j.key < ${upper}`}`;
}

const and = (conditions: readonly RawBuilder<unknown>[]) => (conditions.length === 0 ? sql`true` : sql.join(conditions, sql` and `));

/** The page's ids, sorted by creation (id). */
async function createdIds(context: AdminContext, request: JobListParams & { sort: JobListSort; timeField: 'created' | 'finished' }, environment: JobListEnvironment): Promise<string[]> {
  const { tables } = context;
  const direction = sql.raw(request.sort.startsWith('-') ? 'desc' : 'asc');
  const limit = request.limit + 1;
  const prefix = await keyPrefixCondition(context, request, environment);
  const typeFilter = (column: string) => (request.typeIds?.length ? [sql`${sql.ref(column)} = any(${sql.val(request.typeIds)}::int[])`] : []);
  const run = async (query: RawBuilder<{ id: string }>) => (await query.execute(context.db)).rows.map((row) => String(row.id));

  if (prefix || !request.states?.length) {
    // The records, walked by id; with a prefix, the identity range chooses the candidates.
    const conditions = [...(await idConditions(context, request, 'j.id')), ...createdConditions(request), ...typeFilter('j.type_id')];
    if (prefix) conditions.push(prefix);
    if (!request.states?.length) {
      return run(sql<{ id: string }>`select j.id from ${tables.jobs} j where ${and(conditions)} order by j.id ${direction} limit ${limit}`);
    }
    return run(sql<{ id: string }>`
      select s.id from ${tables.jobSnapshots} s
      where s.id in (select j.id from ${tables.jobs} j where ${and(conditions)})
        and s.state = any(${sql.val(request.states)}::${tables.jobState}[])
        ${request.queued ? sql`and s.id in (select q.job_id from ${tables.jobQueue} q where ${queuedCondition(request.queued)})` : sql``}
      order by s.id ${direction} limit ${limit}`);
  }

  const { live, finished } = splitStates(request.states);
  const needsRecord = request.timeField === 'created' && (request.from || request.to);
  const branches: RawBuilder<unknown>[] = [];
  const hot = [
    { table: tables.jobQueue, alias: 'q', states: live.filter((state) => state !== 'running') },
    { table: tables.jobRunning, alias: 'r', states: live.filter((state) => state === 'running') },
  ];
  for (const source of hot) {
    if (source.states.length === 0) continue;
    const column = `${source.alias}.job_id`;
    const conditions = [...(await idConditions(context, request, column)), ...typeFilter(`${source.alias}.type_id`)];
    if (source.alias === 'q' && source.states.length === 1) conditions.push(sql.raw(source.states[0] === 'waiting' ? 'q.pending_dependencies > 0' : 'q.pending_dependencies = 0'));
    if (source.alias === 'q' && request.queued) conditions.push(queuedCondition(request.queued));
    if (needsRecord) conditions.push(...createdConditions(request));
    branches.push(sql`(select ${sql.ref(column)} as id from ${source.table} ${sql.raw(source.alias)}
      ${needsRecord ? sql`join ${tables.jobs} j on j.id = ${sql.ref(column)}` : sql``}
      where ${and(conditions)} order by ${sql.ref(column)} ${direction} limit ${limit})`);
  }
  if (finished.length > 0) {
    const conditions = [finalOutcomeIn(finished), ...(await idConditions(context, request, 'o.job_id')), ...typeFilter('o.type_id'), currentOutcome(context)];
    if (needsRecord) conditions.push(...createdConditions(request));
    branches.push(sql`(select o.job_id as id from ${tables.jobOutcomes} o
      ${needsRecord ? sql`join ${tables.jobs} j on j.id = o.job_id` : sql``}
      where ${and(conditions)} order by o.job_id ${direction} limit ${limit})`);
  }
  if (branches.length === 1) return run(branches[0] as RawBuilder<{ id: string }>);
  return run(sql<{ id: string }>`select m.id from (${sql.join(branches, sql` union all `)}) m order by m.id ${direction} limit ${limit}`);
}

/** Which queued jobs `queued` keeps, on job_queue `q`. */
function queuedCondition(queued: 'scheduled' | 'retrying'): RawBuilder<unknown> {
  return queued === 'scheduled' ? sql`q.attempts = 0 and q.run_at > now()` : sql`q.attempts > 0`;
}

/** Window widths of the BRIN plan, in seconds: 1 minute, then ×8 each time. */
const firstWindowSeconds = 60;
const windowGrowth = 8;

/** The page's ids of finished jobs, sorted by finish time (or by id, filtered on finish time). */
async function finishedIds(
  context: AdminContext,
  request: JobListParams & { sort: JobListSort; timeField: 'created' | 'finished' },
  finished: readonly FinishedState[],
  environment: JobListEnvironment,
): Promise<string[]> {
  const { tables } = context;
  const byFinished = request.sort === 'finished' || request.sort === '-finished';
  const descending = request.sort.startsWith('-');
  const direction = sql.raw(descending ? 'desc' : 'asc');
  const limit = request.limit + 1;
  const conditions = [finalOutcomeIn(finished), ...(await idConditions(context, request, 'o.job_id'))];
  if (request.typeIds?.length) conditions.push(sql`o.type_id = any(${sql.val(request.typeIds)}::int[])`);
  const prefix = await keyPrefixCondition(context, request, environment);
  const created = createdConditions(request);
  if (prefix || created.length > 0) conditions.push(sql`o.job_id in (select j.id from ${tables.jobs} j where ${and([...(prefix ? [prefix] : []), ...created])})`);
  if (request.timeField === 'finished') {
    if (request.from) conditions.push(sql`o.finished_at >= ${request.from}`);
    if (request.to) conditions.push(sql`o.finished_at < ${request.to}`);
  }
  const cursorTime = request.cursor?.finishedUs !== undefined ? sql`timestamptz 'epoch' + ${request.cursor.finishedUs}::bigint * interval '1 microsecond'` : undefined;
  if (byFinished && request.cursor && cursorTime) {
    conditions.push(descending ? sql`(o.finished_at, o.job_id) < (${cursorTime}, ${request.cursor.id}::bigint)` : sql`(o.finished_at, o.job_id) > (${cursorTime}, ${request.cursor.id}::bigint)`);
  }
  const orderBy = (alias: string) =>
    byFinished ? sql`${sql.raw(alias)}.finished_at ${direction}, ${sql.raw(alias)}.job_id ${direction}` : sql`${sql.raw(alias)}.job_id ${direction}`;
  const run = async (query: RawBuilder<{ id: string }>) => (await query.execute(context.db)).rows.map((row) => String(row.id));

  // Without succeeded jobs, job_outcomes_failed_idx is ordered by finish time already: its
  // entries are read in order and checked one by one until the page is full.
  if (!byFinished || !finished.includes('succeeded')) {
    return run(sql<{ id: string }>`
      select o.job_id as id from ${tables.jobOutcomes} o where ${and([...conditions, currentOutcome(context)])} order by ${orderBy('o')} limit ${limit}`);
  }
  // A window of the BRIN index comes back unordered: sort its outcomes first (`offset 0` keeps
  // the checks out of the sorted subquery), then check them in order until the page is full —
  // not every outcome of the window (three probes each): 183 → 35 ms for a 64-minute window
  // (~15,000 outcomes) at 10M finished jobs, on the loaded test machine.
  const select = (window: readonly RawBuilder<unknown>[]) => sql<{ id: string }>`
    select c.job_id as id from (
      select o.job_id, o.finished_at, o.attempt from ${tables.jobOutcomes} o where ${and([...conditions, ...window])}
      order by ${orderBy('o')} offset 0
    ) c
    where ${currentOutcome(context, 'c')}
    order by ${orderBy('c')} limit ${limit}`;

  // Windows of the BRIN index, growing from the cursor (or the time bound) outwards.
  const { rows } = await sql<{ now: Date; first_created_at: Date | null }>`
    select now() as now, (select j.created_at from ${tables.jobs} j order by j.id limit 1) as first_created_at`.execute(context.db);
  const { now, first_created_at: firstCreatedAt } = rows[0]!;
  if (!firstCreatedAt) return [];
  // No job finished before the first record was created (less the created-at slack), nor after now.
  const earliest = Math.max(firstCreatedAt.getTime() - createdSlackMs, request.timeField === 'finished' && request.from ? request.from.getTime() : -Infinity);
  const latest = Math.min(now.getTime() + 60_000, request.timeField === 'finished' && request.to ? request.to.getTime() : Infinity);
  const cursorMs = request.cursor?.finishedUs !== undefined ? Number(BigInt(request.cursor.finishedUs) / 1000n) : undefined;
  for (let seconds = firstWindowSeconds; ; seconds *= windowGrowth) {
    let lower: number;
    let upper: number;
    if (descending) {
      upper = Math.min(latest, cursorMs === undefined ? Infinity : cursorMs + 1);
      lower = upper - seconds * 1000;
    } else {
      lower = Math.max(earliest, cursorMs === undefined ? -Infinity : cursorMs);
      upper = lower + seconds * 1000;
    }
    const whole = descending ? lower <= earliest : upper >= latest;
    const window = descending
      ? [...(whole ? [] : [sql`o.finished_at >= ${new Date(lower)}`]), sql`o.finished_at < ${new Date(upper)}`]
      : [sql`o.finished_at >= ${new Date(lower)}`, ...(whole ? [] : [sql`o.finished_at < ${new Date(upper)}`])];
    const ids = await run(select(window));
    if (ids.length >= limit || whole) return ids;
  }
}

/** The jobs of a page, whole, in the order of `ids`. */
async function summaries(context: AdminContext, ids: readonly string[]): Promise<SummaryRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<SummaryRow>`
    select s.id::text as id, s.type_id, s.key, s.state, s.attempts, s.max_attempts, s.priority, s.run_at, s.created_at, s.started_at, s.finished_at,
           (extract(epoch from s.finished_at) * 1000000)::bigint::text as finished_us, s.input_bytes, s.output_bytes, s.worker_id,
           s.pending_dependencies, s.dependency_count, s.last_error ->> 'code' as error_code, left(s.last_error ->> 'message', 300) as error_message
    from ${context.tables.jobSnapshots} s where s.id = any(${sql.val(ids)}::bigint[])`.execute(context.db);
  const byId = new Map(rows.map((row) => [String(row.id), row]));
  // A job pruned between the two steps is left out; one whose state is unreadable too.
  return ids.map((id) => byId.get(id)).filter((row): row is SummaryRow => row !== undefined && row.state !== null);
}

function toSummary(row: SummaryRow): JobSummary {
  return {
    id: String(row.id),
    typeId: row.type_id,
    key: row.key,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    priority: row.priority,
    runAt: row.run_at,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    inputBytes: row.input_bytes,
    outputBytes: row.output_bytes,
    workerId: row.worker_id,
    pendingDependencies: row.pending_dependencies,
    dependencyCount: row.dependency_count,
    error: row.error_code !== null || row.error_message !== null ? { code: row.error_code, message: row.error_message ?? '' } : null,
  };
}

/**
 * Binary search over jobs_pkey for the first id whose created_at is at or after `time`, assuming
 * created_at grows with id (see the header). Null: the table is empty.
 */
async function firstIdCreatedAtOrAfter(context: AdminContext, time: Date): Promise<string | null> {
  const { jobs } = context.tables;
  const { rows } = await sql<{ id: string | null }>`
    with recursive search(lo, hi, steps) as (
      select (select min(id) from ${jobs}), (select max(id) from ${jobs}) + 1, 0
      union all
      select case when probe.created_at < ${time} then least(probe.id + 1, s.hi) else s.lo end,
             case when probe.created_at < ${time} then s.hi else s.mid end,
             s.steps + 1
      from (select lo, hi, steps, (lo + hi) / 2 as mid from search where lo < hi and steps < 80) s
      left join lateral (select id, created_at from ${jobs} where id >= s.mid order by id limit 1) probe on true
    )
    select lo::text as id from search order by steps desc limit 1`.execute(context.db);
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
