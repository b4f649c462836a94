import { sql, type Kysely } from 'kysely';
import { isValidPriority, maxPriority, minPriority } from '../contract/priority.js';
import { JobbyError } from '../errors.js';
import { compareJobIds, type JobReference, type JobState, type StoredError } from './job.js';
import { integerArrayLiteral, jsonbArrayParameter, optionalColumn, textArrayLiteral } from './array-parameters.js';
import type { StoreContext } from './store-context.js';

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
}

export interface EnqueueResult {
  id: string;
  typeId: number;
  key: string;
  /** False when the (type, key) pair already existed: nothing was written for it. */
  created: boolean;
  state: JobState;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Executor = Kysely<any>;

const referenceId = (reference: JobReference) => `${reference.typeId}\u0000${reference.key}`;

/** A (type, key) whose job_keys row outlived its job (a row deleted around the store: migration 0004). */
const orphanKeyError = (job: string) =>
  new JobbyError('INTERNAL', `job ${job} exists in job_keys but its job row is gone (deleted around jobby's store?); delete the key row to submit it again`);

/**
 * An insert of a job whose type is not in job_types fails in a trigger (migration 0007) with a
 * foreign-key violation naming this constraint; anything else passes through unchanged.
 */
function unknownTypeError(error: unknown): unknown {
  const databaseError = error as { code?: string; constraint?: string; message?: string; hint?: string };
  if (databaseError?.code !== '23503' || databaseError.constraint !== 'job_types_required') return error;
  return new JobbyError('UNKNOWN_JOB_TYPE', `${databaseError.message}. ${databaseError.hint ?? ''}`.trim(), { cause: error });
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

function assertParams(jobs: readonly EnqueueJobParams[]): void {
  for (const job of jobs) {
    if (!Number.isInteger(job.typeId)) throw new JobbyError('INVALID_ARGUMENT', `job type id ${job.typeId} is not an integer`);
    if (typeof job.key !== 'string' || job.key.length === 0 || job.key.length > 512 || job.key.includes('\u0000')) {
      throw new JobbyError('INVALID_ARGUMENT', `job key ${JSON.stringify(job.key)} must be 1–512 characters without NUL (U+0000)`);
    }
    if (job.maxAttempts !== undefined && (!Number.isInteger(job.maxAttempts) || job.maxAttempts < 1 || job.maxAttempts > 1000)) {
      throw new JobbyError('INVALID_ARGUMENT', `maxAttempts ${job.maxAttempts} must be an integer 1–1000`);
    }
    if (job.priority !== undefined && !isValidPriority(job.priority)) {
      throw new JobbyError('INVALID_ARGUMENT', `priority ${job.priority} must be an integer from ${minPriority} to ${maxPriority}`);
    }
    if (job.runAt !== undefined && Number.isNaN(job.runAt.getTime())) throw new JobbyError('INVALID_ARGUMENT', 'runAt is not a valid date');
  }
}

export async function jobEnqueueMany(context: StoreContext, jobs: readonly EnqueueJobParams[], executor: Executor = context.db): Promise<EnqueueResult[]> {
  if (jobs.length === 0) return [];
  assertParams(jobs);
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
    throw unknownTypeError(error);
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
 * The batch's results, with the ids of the rows the function inserted. It returns them in id
 * order, which is the batch's order (migration 0007), so one walk matches them; should that ever
 * not hold, every row is matched by its (type, key) instead. Jobs without a row get `id: null`.
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
 * of several pairs is first offered to `job_enqueue_new` (migration 0009), which inserts all-new
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

/** job_enqueue_new's refusal: a pair of the batch already exists (migration 0009). */
function isExistingPairError(error: unknown): boolean {
  const databaseError = error as { code?: string; constraint?: string };
  return databaseError?.code === '23505' && databaseError.constraint === 'job_keys_pkey';
}

/** The enqueue functions' arguments: one array per column (both functions take the same). */
function batchArguments(context: StoreContext, jobs: readonly EnqueueJobParams[]) {
  // Parallel arrays through unnest rather than one JSON document through jsonb_to_recordset: the
  // latter cost ~12 µs per row in Postgres (tools/bench/README.md).
  return sql`${integerArrayLiteral(jobs.map((job) => job.typeId))}::integer[], ${textArrayLiteral(jobs.map((job) => job.key))}::text[],
    ${jsonbArrayParameter(jobs.map((job) => job.inputJson))}, ${integerArrayLiteral(jobs.map((job) => Buffer.byteLength(job.inputJson)))}::integer[],
    ${sql.val(optionalColumn(jobs, (job) => job.maxAttempts))}::integer[], ${sql.val(optionalColumn(jobs, (job) => job.priority))}::integer[],
    ${sql.val(optionalColumn(jobs, (job) => job.runAt?.toISOString()))}::timestamptz[], ${sql.val(optionalColumn(jobs, (job) => job.retentionSeconds))}::integer[],
    ${context.defaultMaxAttempts}::integer, ${context.jobsChannel}::text`;
}

async function enqueueNew(context: StoreContext, jobs: readonly EnqueueJobParams[], executor: Executor): Promise<EnqueueResult[]> {
  const { rows } = await sql<{ id: string }>`select id from ${context.tables.jobEnqueueNewFunction}(${batchArguments(context, jobs)})`.execute(executor);
  if (rows.length !== jobs.length) throw new JobbyError('INTERNAL', `job_enqueue_new returned ${rows.length} ids for a batch of ${jobs.length}`);
  // Ids are drawn in the batch's order (migration 0009); RETURNING gives them back in that order
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
    select id, type_id, key from ${context.tables.jobEnqueueManyFunction}(${batchArguments(context, jobs)})`.execute(executor);
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
  const typeIds = sql.val(references.map((reference) => reference.typeId));
  const keys = textArrayLiteral(references.map((reference) => reference.key));
  // Through job_keys (the identity), one primary-key probe per reference (LATERAL … LIMIT 1
  // cannot be turned into a hash join over the whole table), then the job by id. With a lock: the
  // jobs are locked in id order.
  const { rows } = await sql<{ id: string; type_id: number; key: string; state: JobState }>`
    select j.id, j.type_id, j.key, j.state
    from unnest(${typeIds}::int[], ${keys}::text[]) as r(type_id, key)
    cross join lateral (select k.job_id from ${context.tables.jobKeys} k where k.type_id = r.type_id and k.key = r.key limit 1) k
    join ${context.tables.jobs} j on j.id = k.job_id
    ${lock ? sql`order by j.id for share of j` : sql``}`.execute(executor);
  return new Map(rows.map((row) => [referenceId({ typeId: row.type_id, key: row.key }), { id: String(row.id), typeId: row.type_id, key: row.key, state: row.state }]));
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
        dependency_ids: distinct.map(({ found }) => found.id),
      });
    }
    const payload = rowsJson(rows, layer.map((job) => job.inputJson));
    const { rows: inserted } = await sql<{ id: string; type_id: number; key: string; state: JobState }>`
      with input as (
        select * from jsonb_to_recordset(${payload}::jsonb) as t(
          ord int, type_id int, key text, state ${tables.jobState}, pending_dependencies int, dependency_count int,
          last_error jsonb, input jsonb, input_bytes int, max_attempts int, priority int, run_at timestamptz,
          retention_seconds int, dependency_ids bigint[])
      ),
      -- The identity first: ON CONFLICT on job_keys decides which pairs are new (migration 0004).
      keys as (
        insert into ${tables.jobKeys} (type_id, key, job_id)
        select type_id, key, nextval(${tables.jobIdSequence}::regclass) from input order by ord
        on conflict (type_id, key) do nothing
        returning type_id, key, job_id
      ),
      inserted as (
        insert into ${tables.jobs} (id, type_id, key, state, pending_dependencies, dependency_count, last_error, input, input_bytes,
                                    max_attempts, priority, run_at, ready_at, finished_at, retention_seconds, expires_at)
        overriding system value
        select k.job_id, i.type_id, i.key, i.state, i.pending_dependencies, i.dependency_count, i.last_error, i.input, i.input_bytes,
               coalesce(i.max_attempts, ${context.defaultMaxAttempts}), coalesce(i.priority, 0), coalesce(i.run_at, now()),
               case when i.state = 'queued' then now() end,
               case when i.state = 'cancelled' then now() end,
               i.retention_seconds,
               case when i.state = 'cancelled' and i.retention_seconds is not null then now() + make_interval(secs => i.retention_seconds) end
        from keys k join input i on i.type_id = k.type_id and i.key = k.key
        order by k.job_id
        returning id, type_id, key, state
      ),
      edges as (
        insert into ${tables.jobDependencies} (job_id, depends_on_id)
        select ins.id, dependency_id
        from inserted ins
        join input i on i.type_id = ins.type_id and i.key = ins.key
        cross join lateral unnest(i.dependency_ids) as dependency_id
        returning 1
      )
      select id, type_id, key, state, (select count(*) from edges) as edge_count from inserted`.execute(executor);
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
