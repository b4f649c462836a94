import { sql, type RawBuilder } from 'kysely';

/**
 * Schema-qualified table names for raw SQL. Every statement names its schema explicitly, so the
 * store also works inside an application's own transaction, whatever its `search_path`.
 */
export interface Tables {
  readonly schema: string;
  readonly jobs: RawBuilder<unknown>;
  readonly jobTypes: RawBuilder<unknown>;
  /** A job's identity, (type_id, key) → job_id (migration 0004). */
  readonly jobKeys: RawBuilder<unknown>;
  /** The sequence behind jobs.id, for statements that draw an id before inserting the job. */
  readonly jobIdSequence: string;
  readonly jobDependencies: RawBuilder<unknown>;
  readonly jobAttempts: RawBuilder<unknown>;
  readonly workers: RawBuilder<unknown>;
  readonly jobState: RawBuilder<unknown>;
  /** The worker's hot statements (migrations/0003_worker_functions.sql). */
  readonly jobClaimFunction: RawBuilder<unknown>;
  readonly jobCompleteManyFunction: RawBuilder<unknown>;
  readonly jobEnqueueManyFunction: RawBuilder<unknown>;
  /** Batches expected to be all new (migrations/0009_enqueue_new_jobs_without_conflict_check.sql). */
  readonly jobEnqueueNewFunction: RawBuilder<unknown>;
}

export function createTables(schema: string): Tables {
  return {
    schema,
    jobs: sql.table(`${schema}.jobs`),
    jobTypes: sql.table(`${schema}.job_types`),
    jobKeys: sql.table(`${schema}.job_keys`),
    jobIdSequence: `"${schema}"."jobs_id_seq"`,
    jobDependencies: sql.table(`${schema}.job_dependencies`),
    jobAttempts: sql.table(`${schema}.job_attempts`),
    workers: sql.table(`${schema}.workers`),
    jobState: sql.id(schema, 'job_state'),
    jobClaimFunction: sql.id(schema, 'job_claim'),
    jobCompleteManyFunction: sql.id(schema, 'job_complete_many'),
    jobEnqueueManyFunction: sql.id(schema, 'job_enqueue_many'),
    jobEnqueueNewFunction: sql.id(schema, 'job_enqueue_new'),
  };
}
