import { sql } from 'kysely';
import { JobbyError } from '../errors.js';
import { compareJobIds, type JobReference, type JobState, type StoredError } from './job.js';
import { bigintArrayLiteral, integerArrayLiteral, jsonbArrayParameter, optionalColumn, textArrayLiteral } from './array-parameters.js';
import { assertEnqueueOptions } from './job-enqueue-options.js';
import { assertJobKey, loneSurrogateIndex } from './job-key.js';
import type { StoreContext } from './store-context.js';
import type { AnyKysely } from '../contract/any-kysely.js';

/**
 * Enqueue: one statement for a batch without dependencies (the common path, also used for a single
 * job); a transaction that inserts layer by layer for batches with dependencies.
 *
 * Idempotent on (type_id, key): an existing pair is never inserted again, and the result says
 * `created: false` with the existing job's id and state.
 *
 * Dependencies are locked `FOR SHARE` while the dependent is inserted. Completion readies
 * dependents in a statement that runs after its fenced update (see job-complete.ts), so either the
 * enqueue sees the dependency succeeded, or the completion sees the new edge: a dependent is never
 * left waiting for a dependency that already finished.
 */

export interface EnqueueJobParams {
  typeId: number;
  key: string;
  /** The input, already validated and serialized by the caller. */
  inputJson: string;
  maxAttempts?: number;
  priority?: number;
  runAt?: Date;
  retentionSeconds?: number;
  dependsOn?: readonly JobReference[];
  /** The submitter's trace context (W3C traceparent), when a tracer records it (runtime/tracing.ts). */
  traceParent?: string;
  /**
   * The job's group key (the job type's `groupKey` of its input, computed by the client): at most
   * the type's group limit of its jobs with one key run at once. Unset for types without one.
   */
  groupKey?: string;
}

export interface EnqueueResult {
  id: string;
  typeId: number;
  key: string;
  /** False when the (type, key) pair already existed: nothing was written for it. */
  created: boolean;
  state: JobState;
}

type Executor = AnyKysely;

const referenceId = (reference: JobReference) => `${reference.typeId}\u0000${reference.key}`;

/** A job whose record has no state: its queue, running or outcome rows were deleted around the store. */
const orphanKeyError = (job: string) =>
  new JobbyError(
    'ROW_MALFORMED',
    `job ${job} has a record (jobs) but no queue, running or outcome row (rows deleted around jobby's store?); delete its record to submit it again`,
  );

/**
 * Database errors the caller can act on, as jobby errors; anything else passes through unchanged:
 * - an insert of a job whose type is not in job_types fails in a trigger (sql/job-types-required.sql) with a
 *   foreign-key violation naming the constraint job_types_required;
 * - an input whose JSON text escapes a lone UTF-16 surrogate (`"\ud83d"`, as JSON.stringify writes
 *   one) is refused by jsonb (22P02). The client refuses such inputs first, naming the place; this
 *   is for JSON text that reached the store some other way.
 */
function enqueueError(error: unknown): unknown {
  const databaseError = error as { code?: string; constraint?: string; message?: string; hint?: string; detail?: string };
  if (databaseError?.code === '23503' && databaseError.constraint === 'job_types_required') {
    return new JobbyError('UNKNOWN_JOB_TYPE', `${databaseError.message}. ${databaseError.hint ?? ''}`.trim(), { cause: error });
  }
  if (databaseError?.code === '22P02' && /surrogate/i.test(databaseError.detail ?? '')) {
    return new JobbyError(
      'INVALID_ARGUMENT',
      `an input of the batch escapes a lone UTF-16 surrogate (half of a character), which Postgres cannot store: ${databaseError.detail}`,
      { cause: error },
    );
  }
  return error;
}

/** Serializes rows as a JSON array, splicing in each input's JSON text unparsed. */
function rowsJson(rows: readonly Record<string, unknown>[], inputs: readonly string[]): string {
  const parts: string[] = [];
  for (let index = 0; index < rows.length; index++) {
    const head = JSON.stringify(rows[index]);
    parts.push(`${head.slice(0, -1)},"input":${inputs[index]}}`);
  }
  return `[${parts.join(',')}]`;
}

function assertParams(context: StoreContext, jobs: readonly EnqueueJobParams[]): void {
  for (const job of jobs) {
    if (!Number.isInteger(job.typeId)) throw new JobbyError('INVALID_ARGUMENT', `job type id ${job.typeId} is not an integer`);
    // Keys are checked here too, not only by the client: a key the driver would change on the way
    // (a lone surrogate becomes U+FFFD) would be stored under another identity (job-key.ts).
    assertJobKey(job.key, `key of ${context.describeType(job.typeId)}`);
    if (job.groupKey !== undefined) assertJobKey(job.groupKey, `group key of ${context.describeReference(job)}`);
    for (const [index, dependency] of (job.dependsOn ?? []).entries()) {
      assertJobKey(dependency.key, `dependsOn[${index}].key of ${context.describeType(job.typeId)}:${job.key}`);
    }
    // JSON text with a raw lone surrogate would reach the database as U+FFFD, silently.
    if (typeof job.inputJson !== 'string' || loneSurrogateIndex(job.inputJson) >= 0) {
      throw new JobbyError('INVALID_ARGUMENT', `input of ${context.describeReference(job)} must be JSON text without lone UTF-16 surrogates`);
    }
    assertEnqueueOptions(job, context.describeReference(job));
  }
}

export async function jobEnqueueMany(context: StoreContext, jobs: readonly EnqueueJobParams[], executor: Executor = context.db): Promise<EnqueueResult[]> {
  if (jobs.length === 0) return [];
  assertParams(context, jobs);
  // The first occurrence of a pair wins; repeats in the same batch report created: false.
  const firstIndex = new Map<string, number>();
  const unique: EnqueueJobParams[] = [];
  for (const job of jobs) {
    const id = referenceId(job);
    if (!firstIndex.has(id)) {
      firstIndex.set(id, unique.length);
      unique.push(job);
    }
  }
  const hasDependencies = unique.some((job) => (job.dependsOn?.length ?? 0) > 0);
  let results: EnqueueResult[];
  try {
    results = hasDependencies
      ? executor.isTransaction
        ? await enqueueWithDependencies(context, unique, executor)
        : await executor.transaction().execute((transaction) => enqueueWithDependencies(context, unique, transaction))
      : await enqueuePlain(context, unique, executor);
  } catch (error) {
    throw enqueueError(error);
  }
  if (unique.length === jobs.length) return results;
  const seen = new Set<string>();
  return jobs.map((job) => {
    const id = referenceId(job);
    const result = results[firstIndex.get(id)!]!;
    if (seen.has(id)) return { ...result, created: false };
    seen.add(id);
    return result;
  });
}

/**
 * The batch's results, with the ids of the rows the function inserted. It returns them in the
 * order it inserted them, (type, key) bytewise (sql/job-enqueue.sql): when the batch came in that
 * order, one walk matches them; otherwise every row is matched by its (type, key). Jobs without a
 * row get `id: null`.
 */
export function matchInserted(jobs: readonly EnqueueJobParams[], rows: readonly { id: string; type_id: number; key: string }[]) {
  const resultOf = (job: EnqueueJobParams, id: string | undefined) => ({
    id: id ?? null,
    typeId: job.typeId,
    key: job.key,
    created: id !== undefined,
    state: id === undefined ? null : ('queued' as JobState),
  });
  const results = new Array<ReturnType<typeof resultOf>>(jobs.length);
  let next = 0;
  for (let index = 0; index < jobs.length; index++) {
    const job = jobs[index]!;
    const row = rows[next];
    const created = row !== undefined && row.type_id === job.typeId && row.key === job.key;
    if (created) next++;
    results[index] = resultOf(job, created ? String(row.id) : undefined);
  }
  if (next === rows.length) return results;
  const insertedIds = new Map(rows.map((row) => [referenceId({ typeId: row.type_id, key: row.key }), String(row.id)]));
  return jobs.map((job) => resultOf(job, insertedIds.get(referenceId(job))));
}

/**
 * A batch without dependencies. On the store's own pool (the caller passed no transaction), a batch
 * of several pairs is first offered to `job_enqueue_new` (sql/job-enqueue.sql), which inserts all-new
 * batches for ~20% less of Postgres's time and raises, inserting nothing, when a pair already
 * exists; that batch then goes through `job_enqueue_many`, and later batches go there directly until
 * one turns out all new again. On anything the caller passed — a transaction, or a connection that
 * may be inside a BEGIN of its own — the failed statement would abort the caller's work, and a
 * single job (the idempotent "submit if absent" call) gains nothing worth a second round trip: both
 * always take `job_enqueue_many`.
 */
async function enqueuePlain(context: StoreContext, jobs: readonly EnqueueJobParams[], executor: Executor): Promise<EnqueueResult[]> {
  const offerNew = jobs.length > 1 && executor === context.db;
  if (offerNew && context.enqueue.expectNew) {
    try {
      return await enqueueNew(context, jobs, executor);
    } catch (error) {
      if (!isExistingPairError(error)) throw error;
      context.enqueue.expectNew = false;
    }
  }
  const results = await enqueueIdempotent(context, jobs, executor);
  if (offerNew && results.every((result) => result.created)) context.enqueue.expectNew = true;
  return results;
}

/** job_enqueue_new's refusal: a pair of the batch already exists (sql/job-enqueue.sql). */
function isExistingPairError(error: unknown): boolean {
  const databaseError = error as { code?: string; constraint?: string };
  return databaseError?.code === '23505' && databaseError.constraint === 'jobs_identity';
}

/** The enqueue functions' arguments: one array per column (both functions take the same). */
function batchArguments(context: StoreContext, jobs: readonly EnqueueJobParams[]) {
  // Parallel arrays through unnest rather than one JSON document through jsonb_to_recordset: the
  // latter cost ~12 µs per row in Postgres (tools/bench/README.md).
  return sql`${integerArrayLiteral(jobs.map((job) => job.typeId))}::integer[], ${textArrayLiteral(jobs.map((job) => job.key))}::text[],
    ${jsonbArrayParameter(jobs.map((job) => job.inputJson))}, ${integerArrayLiteral(jobs.map((job) => Buffer.byteLength(job.inputJson)))}::integer[],
    ${sql.val(optionalColumn(jobs, (job) => job.maxAttempts))}::integer[], ${sql.val(optionalColumn(jobs, (job) => job.priority))}::integer[],
    ${sql.val(optionalColumn(jobs, (job) => job.runAt?.toISOString()))}::timestamptz[], ${sql.val(optionalColumn(jobs, (job) => job.retentionSeconds))}::integer[],
    ${sql.val(optionalColumn(jobs, (job) => job.traceParent))}::text[], ${sql.val(optionalColumn(jobs, (job) => job.groupKey))}::text[],
    ${context.defaultMaxAttempts}::integer, ${context.jobsChannel}::text`;
}

async function enqueueNew(context: StoreContext, jobs: readonly EnqueueJobParams[], executor: Executor): Promise<EnqueueResult[]> {
  const { rows } = await sql<{ id: string }>`select id from ${context.tables.fn('job_enqueue_new')}(${batchArguments(context, jobs)})`.execute(executor);
  if (rows.length !== jobs.length) throw new JobbyError('INTERNAL', `job_enqueue_new returned ${rows.length} ids for a batch of ${jobs.length}`);
  // Ids are drawn in the batch's order (sql/job-enqueue.sql); RETURNING gives them back in that order
  // too, but nothing promises it, so an unsorted result is sorted rather than trusted.
  const ids = rows.map((row) => String(row.id));
  for (let index = 1; index < ids.length; index++) {
    if (compareJobIds(ids[index - 1]!, ids[index]!) > 0) {
      ids.sort(compareJobIds);
      break;
    }
  }
  return jobs.map((job, index) => ({ id: ids[index]!, typeId: job.typeId, key: job.key, created: true, state: 'queued' }));
}

async function enqueueIdempotent(context: StoreContext, jobs: readonly EnqueueJobParams[], executor: Executor): Promise<EnqueueResult[]> {
  // Only the insert and its RETURNING (the `job_enqueue_many` function, planned once per session):
  // matching rows back to the batch happens here (matchInserted), rather than in SQL (a merge join
  // over sorted text keys and a probe per conflicting row cost Postgres more than the insert's own
  // index work).
  const { rows } = await sql<{ id: string; type_id: number; key: string }>`
    select id, type_id, key from ${context.tables.fn('job_enqueue_many')}(${batchArguments(context, jobs)})`.execute(executor);
  const results = matchInserted(jobs, rows);
  // Pairs that already existed (or were inserted by a concurrent transaction that committed after
  // this statement's snapshot): read them with a fresh snapshot.
  const unresolved = results.filter((result) => result.id === null);
  if (unresolved.length > 0) {
    const found = await lookupJobs(context, unresolved, executor, false);
    for (const result of unresolved) {
      const existing = found.get(referenceId(result));
      if (!existing) throw orphanKeyError(context.describeReference(result));
      result.id = existing.id;
      result.state = existing.state;
    }
  }
  return results as EnqueueResult[];
}

interface FoundJob {
  id: string;
  typeId: number;
  key: string;
  state: JobState;
}

async function lookupJobs(context: StoreContext, references: readonly JobReference[], executor: Executor, lock: boolean): Promise<Map<string, FoundJob>> {
  const { tables } = context;
  // In the identity's order: records are locked (in share mode) in one order by every enqueue.
  const sorted = [...references].sort((a, b) => a.typeId - b.typeId || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const typeIds = sql.val(sorted.map((reference) => reference.typeId));
  const keys = textArrayLiteral(sorted.map((reference) => reference.key));
  // One probe of the identity's index per reference (LATERAL cannot become a hash join over the
  // whole table).
  const { rows } = await sql<{ id: string; type_id: number; key: string }>`
    select j.id, j.type_id, j.key
    from unnest(${typeIds}::int[], ${keys}::text[]) with ordinality as r(type_id, key, ord)
    cross join lateral (
      select j.id, j.type_id, j.key from ${tables.jobs} j where j.type_id = r.type_id and j.key = r.key
      ${lock ? sql`for share` : sql``}
    ) j
    order by r.ord`.execute(executor);
  const ids = rows.map((row) => String(row.id));
  const states = lock ? await lockLiveRows(context, ids, executor) : await readStates(context, ids, executor);
  const found = new Map<string, FoundJob>();
  for (const row of rows) {
    const state = states.get(String(row.id));
    if (!state) throw orphanKeyError(context.describeReference({ typeId: row.type_id, key: row.key }));
    found.set(referenceId({ typeId: row.type_id, key: row.key }), { id: String(row.id), typeId: row.type_id, key: row.key, state });
  }
  return found;
}

async function readStates(context: StoreContext, ids: readonly string[], executor: Executor): Promise<Map<string, JobState>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<{ id: string; state: JobState | null }>`
    select id, state from ${context.tables.jobSnapshots} where id = any(${bigintArrayLiteral(ids)}::bigint[])`.execute(executor);
  return new Map(rows.filter((row) => row.state !== null).map((row) => [String(row.id), row.state!]));
}

/**
 * Holds the dependencies' states still until the transaction ends, and returns them. The records
 * are already share-locked (no cancel, retry or prune can change them); a live job's hot row is
 * locked in key-share mode (an ephemeral running job's is marked, see below): a claim skips a
 * locked queue row, and a completion or failure (which deletes the running row) waits. So a dependency this enqueue sees running cannot finish before
 * the dependent's edge is committed, and the completion's readiness pass (job_complete_many, step
 * 2) sees the edge. Lease extensions and dependency counts update without key changes and do not
 * wait. A job can move between the hot tables between two statements (a claim moves it from
 * queue to running): until every live job's row is among the locked ones, lock again.
 */
async function lockLiveRows(context: StoreContext, ids: readonly string[], executor: Executor): Promise<Map<string, JobState>> {
  if (ids.length === 0) return new Map();
  const { tables } = context;
  const idList = bigintArrayLiteral([...ids].sort(compareJobIds));
  const locked = new Set<string>();
  for (let round = 1; ; round++) {
    // An ephemeral job's running row is marked as depended on (a stronger lock, taken first in
    // the same id order): its completion, which may already be waiting for this row with a
    // snapshot that cannot see the edge, reads the mark from the row and keeps the output.
    await sql`
      update ${tables.jobRunning} r set depended_on = true
      from (select job_id from ${tables.jobRunning}
            where job_id = any(${idList}::bigint[]) and retention_seconds = 0 and not depended_on
            order by job_id for no key update) marked
      where r.job_id = marked.job_id`.execute(executor);
    const running = await sql<{ job_id: string }>`
      select job_id from ${tables.jobRunning} where job_id = any(${idList}::bigint[]) order by job_id for key share`.execute(executor);
    const queued = await sql<{ job_id: string }>`
      select job_id from ${tables.jobQueue} where job_id = any(${idList}::bigint[]) order by job_id for key share`.execute(executor);
    for (const row of [...running.rows, ...queued.rows]) locked.add(`${row.job_id}`);
    const states = await readStates(context, ids, executor);
    const unheld = [...states].filter(([id, state]) => (state === 'running' || state === 'queued' || state === 'waiting') && !locked.has(id));
    if (unheld.length === 0) return states;
    if (round >= 20) throw new JobbyError('INTERNAL', `could not hold the states of jobs ${unheld.map(([id]) => id).join(', ')} still (they kept moving)`);
    // The rows locked in an earlier round may be another table's by now: lock by table again.
    locked.clear();
  }
}

/** Orders the batch so that every job comes after its in-batch dependencies; refuses cycles. */
function layers(jobs: readonly EnqueueJobParams[], describe: (reference: JobReference) => string): EnqueueJobParams[][] {
  const inBatch = new Map(jobs.map((job) => [referenceId(job), job]));
  const depth = new Map<string, number>();
  const visiting: string[] = [];
  const visit = (job: EnqueueJobParams): number => {
    const id = referenceId(job);
    const known = depth.get(id);
    if (known !== undefined) return known;
    const cycleStart = visiting.indexOf(id);
    if (cycleStart >= 0) {
      const cycle = [...visiting.slice(cycleStart), id].map((member) => describe(inBatch.get(member)!));
      throw new JobbyError('DEPENDENCY_CYCLE', `dependency cycle: ${cycle.join(' → ')}`, { details: { cycle } });
    }
    visiting.push(id);
    let level = 0;
    for (const dependency of job.dependsOn ?? []) {
      const parent = inBatch.get(referenceId(dependency));
      if (parent) level = Math.max(level, visit(parent) + 1);
    }
    visiting.pop();
    depth.set(id, level);
    return level;
  };
  const result: EnqueueJobParams[][] = [];
  for (const job of jobs) {
    const level = visit(job);
    (result[level] ??= []).push(job);
  }
  return result.filter((layer) => layer !== undefined);
}

async function enqueueWithDependencies(context: StoreContext, jobs: readonly EnqueueJobParams[], executor: Executor): Promise<EnqueueResult[]> {
  const { tables, describeReference } = context;
  const inBatch = new Set(jobs.map(referenceId));
  for (const job of jobs) {
    for (const dependency of job.dependsOn ?? []) {
      if (referenceId(dependency) === referenceId(job)) {
        throw new JobbyError('DEPENDENCY_CYCLE', `${describeReference(job)} depends on itself`);
      }
    }
  }
  const ordered = layers(jobs, describeReference);
  // Every referenced job that is not new in this batch must exist; lock them so that their state
  // cannot change until this transaction commits.
  const external = new Map<string, JobReference>();
  for (const job of jobs) for (const dependency of job.dependsOn ?? []) if (!inBatch.has(referenceId(dependency))) external.set(referenceId(dependency), dependency);
  const known = external.size > 0 ? await lookupJobs(context, [...external.values()], executor, true) : new Map<string, FoundJob>();
  const missing = [...external.entries()].filter(([id]) => !known.has(id)).map(([, reference]) => reference);
  if (missing.length > 0) {
    const dependents = jobs.filter((job) => job.dependsOn?.some((dependency) => missing.some((reference) => referenceId(reference) === referenceId(dependency))));
    throw new JobbyError(
      'DEPENDENCY_MISSING',
      `${dependents.map(describeReference).join(', ')} depend${dependents.length === 1 ? 's' : ''} on ${missing.map(describeReference).join(', ')}, which do${missing.length === 1 ? 'es' : ''} not exist`,
      { details: { missing: missing.map((reference) => ({ typeId: reference.typeId, key: reference.key })) } },
    );
  }

  const results = new Map<string, EnqueueResult>();
  let anyQueued = false;
  for (const layer of ordered) {
    const rows: Record<string, unknown>[] = [];
    for (const [ord, job] of layer.entries()) {
      const dependencies = (job.dependsOn ?? []).map((reference) => {
        const found = known.get(referenceId(reference));
        if (!found) throw new JobbyError('INTERNAL', `dependency ${describeReference(reference)} was not resolved`);
        return { reference, found };
      });
      const distinct = [...new Map(dependencies.map((dependency) => [dependency.found.id, dependency])).values()];
      const broken = distinct.find(({ found }) => found.state === 'failed' || found.state === 'cancelled');
      const pending = distinct.filter(({ found }) => found.state !== 'succeeded').length;
      const state: JobState = broken ? 'cancelled' : pending > 0 ? 'waiting' : 'queued';
      const lastError: StoredError | null = broken
        ? {
            code: 'DEPENDENCY_FAILED',
            message: `dependency ${describeReference(broken.reference)} ${broken.found.state === 'failed' ? 'failed' : 'was cancelled'}`,
            details: { dependencyId: broken.found.id },
          }
        : null;
      if (state === 'queued') anyQueued = true;
      rows.push({
        ord,
        type_id: job.typeId,
        key: job.key,
        state,
        pending_dependencies: broken ? 0 : pending,
        dependency_count: distinct.length,
        last_error: lastError,
        input_bytes: Buffer.byteLength(job.inputJson),
        max_attempts: job.maxAttempts ?? null,
        priority: job.priority ?? null,
        run_at: job.runAt?.toISOString() ?? null,
        retention_seconds: job.retentionSeconds ?? null,
        trace_parent: job.traceParent ?? null,
        group_key: job.groupKey ?? null,
        dependency_ids: distinct.map(({ found }) => found.id),
      });
    }
    const payload = rowsJson(rows, layer.map((job) => job.inputJson));
    const { rows: inserted } = await sql<{ id: string; type_id: number; key: string; state: JobState }>`
      with input as (
        select * from jsonb_to_recordset(${payload}::jsonb) as t(
          ord int, type_id int, key text, state ${tables.jobState}, pending_dependencies int, dependency_count int,
          last_error jsonb, input jsonb, input_bytes int, max_attempts int, priority int, run_at timestamptz,
          retention_seconds int, trace_parent text, group_key text, dependency_ids bigint[])
      ),
      -- Ids in the layer's order (the claim's tie-break): drawn here, before the sort below.
      numbered as (
        select i.*, nextval(${tables.jobIdSequence}::regclass) as job_id from input i order by i.ord
      ),
      -- The records first: ON CONFLICT on the identity decides which pairs are new. Keys are
      -- locked in the one global order, (type_id, key) bytewise, as the enqueue functions lock
      -- them (sql/job-enqueue.sql): batches sharing keys in different orders never deadlock.
      inserted as (
        insert into ${tables.jobs} (id, type_id, key, input, input_bytes, max_attempts, priority, run_at, retention_seconds, dependency_count, trace_parent, group_key)
        overriding system value
        select n.job_id, n.type_id, n.key, n.input, n.input_bytes, coalesce(n.max_attempts, ${context.defaultMaxAttempts}),
               coalesce(n.priority, 0), coalesce(n.run_at, now()), n.retention_seconds, n.dependency_count, n.trace_parent, n.group_key
        from numbered n
        order by n.type_id, n.key collate "C"
        on conflict (type_id, key) do nothing
        returning id, type_id, key, priority, run_at, retention_seconds, group_key
      ),
      joined as (
        select ins.*, i.state, i.pending_dependencies, i.last_error, i.dependency_ids
        from inserted ins join input i on i.type_id = ins.type_id and i.key = ins.key
      ),
      queued as (
        insert into ${tables.jobQueue} (job_id, type_id, priority, run_at, pending_dependencies, ready_at, group_key)
        select j.id, j.type_id, j.priority, j.run_at, j.pending_dependencies, case when j.state = 'queued' then now() end, j.group_key
        from joined j where j.state <> 'cancelled'
      ),
      -- A dependency already failed or cancelled: the job is cancelled at birth, with the reason.
      cancelled as (
        insert into ${tables.jobOutcomes} (job_id, attempt, type_id, outcome, final, error, expires_at)
        select j.id, 0, j.type_id, 'cancelled', true, j.last_error,
               case when j.retention_seconds is not null then now() + make_interval(secs => j.retention_seconds) end
        from joined j where j.state = 'cancelled'
      ),
      edges as (
        insert into ${tables.jobDependencies} (job_id, depends_on_id)
        select j.id, dependency_id
        from joined j
        cross join lateral unnest(j.dependency_ids) as dependency_id
        returning 1
      )
      select id, type_id, key, state, (select count(*) from edges) as edge_count from joined`.execute(executor);
    const created = new Map(inserted.map((row) => [referenceId({ typeId: row.type_id, key: row.key }), row]));
    const conflicted = layer.filter((job) => !created.has(referenceId(job)));
    const existing = conflicted.length > 0 ? await lookupJobs(context, conflicted, executor, true) : new Map<string, FoundJob>();
    for (const job of layer) {
      const id = referenceId(job);
      const row = created.get(id);
      const found: FoundJob | undefined = row ? { id: String(row.id), typeId: row.type_id, key: row.key, state: row.state } : existing.get(id);
      if (!found) throw orphanKeyError(describeReference(job));
      known.set(id, found);
      results.set(id, { id: found.id, typeId: job.typeId, key: job.key, created: row !== undefined, state: found.state });
    }
  }
  if (anyQueued) await sql`select pg_notify(${context.jobsChannel}, '')`.execute(executor);
  return jobs.map((job) => results.get(referenceId(job))!);
}
