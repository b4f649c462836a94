import { scheduleList, type AdminSchedule } from '../admin/schedules.js';
import type { DependencyReference, SubmitOptions } from '../contract/handler.js';
import type { InputOf, JobTypeKey, OutputOf } from '../contract/job-type-map.js';
import { jobTypeNameOf } from '../contract/job-type-map.js';
import { JobbyError } from '../errors.js';
import type { JobbyDatabase } from '../store/database.js';
import type { JobState, StoredAttempt, StoredError, StoredJob } from '../store/job.js';
import type { EnqueueJobParams, EnqueueResult } from '../store/job-enqueue.js';
import { assertEnqueueOptions } from '../store/job-enqueue-options.js';
import { assertJobKey } from '../store/job-key.js';
import { createJobStore, type JobStore } from '../store/job-store.js';
import { noControls, type JobTypeControlChange, type JobTypeControls } from '../store/job-type-controls.js';
import { assertGroupable, groupKeyOf } from './group-key.js';
import { createPayloadValidator, type PayloadValidator } from './payload-validator.js';
import type { JobbyRegistry, RegisteredJobType } from './registry.js';
import { sendTraced, tracingEnabled } from './tracing.js';
import { retryTransient } from './transient-error.js';
import type { AnyKysely } from '../contract/any-kysely.js';

/**
 * The typed client for application code: submit jobs (optionally inside the application's own
 * Kysely transaction) and read them back, with inputs and outputs typed by the generated
 * `JobTypeMap` or by a plugin's handles.
 *
 * @example
 * ```ts
 * const client = createJobbyClient({ database, registry });
 * await client.submit('email.SendVerificationEmail', `user-${id}`, { address, code });
 * await db.transaction().execute((trx) => client.submit('steam.FetchAppList', 'daily', { url }, { transaction: trx }));
 * const job = await client.get('steam.FetchAppList', 'daily'); // job.output is typed
 * ```
 */

export interface ClientSubmitOptions extends SubmitOptions {
  /** Enqueue inside this transaction (commits and rolls back with it). */
  transaction?: AnyKysely;
}

/** A job as the client returns it, with its output typed. */
export interface JobSnapshot<TOutput = unknown> {
  id: string;
  /** `plugin.Job`. */
  type: string;
  key: string;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  priority: number;
  input: unknown;
  output: TOutput | null;
  inputBytes: number;
  outputBytes: number | null;
  lastError: StoredError | null;
  createdAt: Date;
  readyAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  runAt: Date;
  workerId: string | null;
  pendingDependencies: number;
}

export interface SubmitResult extends EnqueueResult {
  /** `plugin.Job`. */
  type: string;
}

/** One job of {@link JobbyClient.submitMany}: its input is typed by its job type. */
export interface JobSubmission<TKey extends JobTypeKey = JobTypeKey> {
  type: TKey;
  key: string;
  input: InputOf<TKey>;
  options?: SubmitOptions;
}

export interface JobbyClient {
  readonly registry: JobbyRegistry;
  /**
   * Submits one job; idempotent on (type, key). Without `options.transaction`, a transient
   * database error (deadlock 40P01, serialization failure 40001, a lost connection) is retried
   * a few times with backoff and jitter (see {@link JobbyClient.submitMany}).
   */
  submit<TKey extends JobTypeKey>(type: TKey, key: string, input: InputOf<TKey>, options?: ClientSubmitOptions): Promise<SubmitResult>;
  /**
   * Submits many in one statement (or one transaction, when some have dependencies); results come
   * in the order of `jobs`.
   *
   * On the store's own pool (no `transaction`), a transient database error — deadlock (40P01),
   * serialization failure (40001), a lost or refused connection — is retried, up to 6 tries in
   * all with exponential backoff and jitter (about 2 s at most in waits), then thrown: a submission
   * is idempotent by (type, key), so running it again cannot create a job twice. One consequence:
   * when a connection is lost while the first try commits, the retry finds the jobs that try made
   * and reports them `created: false`. Inside the caller's `transaction` nothing is retried: the
   * error has aborted that transaction, which is the caller's to run again as a whole.
   */
  submitMany<const TKeys extends readonly JobTypeKey[]>(
    jobs: { readonly [Index in keyof TKeys]: JobSubmission<TKeys[Index]> },
    options?: { transaction?: AnyKysely },
  ): Promise<SubmitResult[]>;
  get<TKey extends JobTypeKey>(type: TKey, key: string): Promise<JobSnapshot<OutputOf<TKey>> | undefined>;
  getById(id: string): Promise<JobSnapshot | undefined>;
  attempts(id: string): Promise<StoredAttempt[]>;
  cancel(type: JobTypeKey, key: string): Promise<boolean>;
  retry(type: JobTypeKey, key: string): Promise<string[]>;
  rerun(type: JobTypeKey, key: string): Promise<string[]>;
  /**
   * A job type's flow control, enforced by the claim in Postgres across every worker: `paused`
   * (no worker claims its jobs; they wait) and `concurrency` (at most this many running at once,
   * cluster-wide; `null` for no limit).
   *
   * @example
   * await client.setTypeControls(steamJobs.refs.FetchAppList, { paused: true });
   * await client.setTypeControls(steamJobs.refs.FetchAppList, { paused: false, concurrency: 3 });
   */
  setTypeControls(type: JobTypeKey, change: JobTypeControlChange): Promise<JobTypeControls>;
  /** The flow control of a job type (see {@link JobbyClient.setTypeControls}). */
  typeControls(type: JobTypeKey): Promise<JobTypeControls>;
  /** The schedules workers declared (`JobRegistry.schedule`), with their next and last fire times. */
  schedules(): Promise<AdminSchedule[]>;
  /** Resolves `plugin.Job` (or a handle) to the registry entry; throws `UNKNOWN_JOB_TYPE`. */
  resolveType(type: JobTypeKey | string): RegisteredJobType;
  /** Serializes and validates a submission without writing it. */
  prepare(type: JobTypeKey | string, key: string, input: unknown, options?: SubmitOptions): EnqueueJobParams;
}

export interface JobbyClientOptions {
  database: Pick<JobbyDatabase, 'db' | 'schema'>;
  registry: JobbyRegistry;
  validator?: PayloadValidator;
  maxPayloadBytes?: number;
}

export function createJobbyClient(options: JobbyClientOptions): JobbyClient {
  const { registry } = options;
  const store = createJobStore(options.database, { describeType: (id) => registry.byId(id)?.fullName ?? `type ${id}` });
  const validator = options.validator ?? createPayloadValidator({ maxPayloadBytes: options.maxPayloadBytes });
  let typesSynced: Promise<void> | undefined;
  // Job types must be known to the database (the enqueue checks them against job_types) before the
  // first submission; a conflicting registry is refused here as it is at worker start.
  const ensureTypes = () =>
    (typesSynced ??= syncJobTypes(store, registry).catch((error: unknown) => {
      typesSynced = undefined;
      throw error;
    }));

  const resolveType = (type: JobTypeKey | string) => registry.require(jobTypeNameOf(type as string));

  const prepare = (type: JobTypeKey | string, key: string, input: unknown, submitOptions: SubmitOptions = {}): EnqueueJobParams => {
    const registered = resolveType(type);
    assertJobKey(key, `key of ${registered.fullName}`);
    submitOptions.dependsOn?.forEach((dependency, index) => assertJobKey(dependency.key, `dependsOn[${index}].key of ${registered.fullName}:${key}`));
    // Before the input is serialized: a bad option fails fast, whatever the input's size.
    assertEnqueueOptions(submitOptions, `${registered.fullName}:${key}`);
    const inputJson = validator.serializeInput(registered, input);
    const groupKey = groupKeyOf(registered, input, `${registered.fullName}:${key}`);
    return {
      typeId: registered.id,
      key,
      inputJson,
      ...(groupKey === undefined ? {} : { groupKey }),
      maxAttempts: submitOptions.maxAttempts,
      priority: submitOptions.priority,
      runAt: submitOptions.runAt,
      retentionSeconds: submitOptions.retentionSeconds,
      dependsOn: submitOptions.dependsOn?.map((dependency: DependencyReference) => ({
        typeId: resolveType(dependency.type).id,
        key: dependency.key,
      })),
    };
  };

  const toSnapshot = (job: StoredJob): JobSnapshot => ({
    id: job.id,
    type: registry.byId(job.typeId)?.fullName ?? `unknown#${job.typeId}`,
    key: job.key,
    state: job.state,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    priority: job.priority,
    input: job.input,
    output: job.output,
    inputBytes: job.inputBytes,
    outputBytes: job.outputBytes,
    lastError: job.lastError,
    createdAt: job.createdAt,
    readyAt: job.readyAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    runAt: job.runAt,
    workerId: job.workerId,
    pendingDependencies: job.pendingDependencies,
  });

  const unwrap = (result: Awaited<ReturnType<JobStore['jobGet']>>): JobSnapshot | undefined => {
    if (!result) return undefined;
    if (!result.ok) throw result.error;
    return toSnapshot(result.value);
  };

  const idOf = async (type: JobTypeKey, key: string): Promise<string> => {
    const registered = resolveType(type);
    assertJobKey(key, `key of ${registered.fullName}`);
    const job = unwrap(await store.jobGetByReference({ typeId: registered.id, key }));
    if (!job) throw new JobbyError('JOB_NOT_FOUND', `job ${registered.fullName}:${key} does not exist`, { details: { type: registered.fullName, key } });
    return job.id;
  };

  const submitMany: JobbyClient['submitMany'] = async (jobs, submitOptions = {}) => {
    const prepared = jobs.map((job) => prepare(job.type, job.key, job.input, job.options));
    if (tracingEnabled()) {
      const typeNames = prepared.map((job) => registry.byId(job.typeId)!.fullName);
      return sendTraced(typeNames, prepared, (traced) => enqueue(traced, submitOptions));
    }
    return enqueue(prepared, submitOptions);
  };

  const enqueue = async (prepared: EnqueueJobParams[], submitOptions: { transaction?: AnyKysely }): Promise<SubmitResult[]> => {
    const { transaction } = submitOptions;
    // Idempotent by (type, key) on the store's own pool: a transient failure (a deadlock, a lost
    // connection) is tried again here rather than handed to every caller. A caller's transaction
    // is aborted by the error and only the caller can run it again: never retried.
    const results = transaction
      ? await ensureTypes().then(() => store.jobEnqueueMany(prepared, transaction))
      : await retryTransient(async () => {
          await ensureTypes();
          return store.jobEnqueueMany(prepared);
        });
    return results.map((result) => ({ ...result, type: registry.byId(result.typeId)!.fullName }));
  };

  const client: JobbyClient = {
    registry,
    resolveType,
    prepare,
    async submit(type, key, input, submitOptions = {}) {
      const [result] = await submitMany([{ type, key, input, options: submitOptions }], { transaction: submitOptions.transaction });
      return result!;
    },
    submitMany,
    async get(type, key) {
      const registered = resolveType(type);
      // A key that cannot be stored cannot name a job; the driver would look up another one.
      assertJobKey(key, `key of ${registered.fullName}`);
      return unwrap(await store.jobGetByReference({ typeId: registered.id, key })) as JobSnapshot<never> | undefined;
    },
    async getById(id) {
      return unwrap(await store.jobGet(id));
    },
    attempts: (id) => store.jobAttemptList(id),
    async cancel(type, key) {
      return (await store.jobCancel(await idOf(type, key))).cancelled;
    },
    async retry(type, key) {
      return (await store.jobRetry(await idOf(type, key))).reset;
    },
    async rerun(type, key) {
      return (await store.jobRerun(await idOf(type, key))).reset;
    },
    async setTypeControls(type, change) {
      const registered = resolveType(type);
      if (change.groupConcurrency !== undefined && change.groupConcurrency !== null) assertGroupable(registered);
      await ensureTypes();
      return store.jobTypeControlSet(registered.id, change);
    },
    async typeControls(type) {
      const registered = resolveType(type);
      const found = (await store.jobTypeControlList()).find((control) => control.typeId === registered.id);
      return found ?? noControls(registered.id);
    },
    schedules: () => scheduleList({ db: options.database.db, tables: store.context.tables }),
  };
  clientStores.set(client, store);
  return client;
}

/** Each client's store, for jobby's own runtime (see {@link jobStoreOf}); never on the public interface. */
const clientStores = new WeakMap<JobbyClient, JobStore>();

/**
 * The job store behind a client made by {@link createJobbyClient}: for jobby's own packages and
 * tools (the worker and its metrics, the bench's probes that time its calls, chaos scenarios). Not
 * part of the public API: the store's operations are being reworked (issue 17) and may change in
 * any release. Application code uses the client.
 *
 * @example
 * ```ts
 * await syncJobTypes(jobStoreOf(client), registry);
 * ```
 * @internal
 */
export function jobStoreOf(client: JobbyClient): JobStore {
  const store = clientStores.get(client);
  if (!store) throw new JobbyError('INVALID_ARGUMENT', 'not a client made by createJobbyClient');
  return store;
}

/**
 * Records the registry's job types in the database; refuses on a conflict, naming both sides. The
 * client and the worker call it themselves; jobby's tools call it to prepare a schema.
 *
 * @example
 * ```ts
 * await syncJobTypes(jobStoreOf(client), registry);
 * ```
 * @internal
 */
export async function syncJobTypes(store: JobStore, registry: JobbyRegistry): Promise<void> {
  const result = await store.jobTypeSync(registry.jobTypes.map((type) => ({ id: type.id, name: type.fullName })));
  if (result.conflicts.length > 0) {
    const lines = result.conflicts.map((conflict) =>
      conflict.kind === 'id'
        ? `id ${conflict.id} is ${conflict.databaseName} in the database but ${conflict.registryName} in this registry`
        : `${conflict.registryName} has id ${conflict.databaseId} in the database but ${conflict.id} in this registry`,
    );
    throw new JobbyError(
      'REGISTRY_CONFLICT',
      `the job registry conflicts with the database (schema "${store.schema}"); jobs stored under these ids would run the wrong handler:\n- ${lines.join('\n- ')}`,
      { details: { conflicts: result.conflicts } },
    );
  }
}
