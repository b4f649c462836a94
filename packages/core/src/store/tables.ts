import { sql, type RawBuilder } from 'kysely';

/**
 * Schema-qualified names for raw SQL. Every statement names its schema explicitly, so the store
 * also works inside an application's own transaction, whatever its `search_path`. The tables and
 * functions are defined in migrations/0001_store_v2.sql and src/store/sql/*.sql.
 */
export interface Tables {
  readonly schema: string;
  /** The job records: identity, input, options (written once). */
  readonly jobs: RawBuilder<unknown>;
  readonly jobTypes: RawBuilder<unknown>;
  readonly jobQueue: RawBuilder<unknown>;
  readonly jobRunning: RawBuilder<unknown>;
  readonly jobOutcomes: RawBuilder<unknown>;
  /** Handlers' log lines, per attempt (migrations/0009_attempt_reports.sql). */
  readonly jobLogs: RawBuilder<unknown>;
  readonly jobStats: RawBuilder<unknown>;
  /** Whole jobs as the pre-v2 row (sql/job-snapshots.sql): for reads of a few jobs. */
  readonly jobSnapshots: RawBuilder<unknown>;
  /** The sequence behind jobs.id, for statements that draw an id before inserting the job. */
  readonly jobIdSequence: string;
  readonly jobDependencies: RawBuilder<unknown>;
  readonly workers: RawBuilder<unknown>;
  /** The admin's audit trail (migrations/0006_admin_actions.sql). */
  readonly adminActions: RawBuilder<unknown>;
  readonly jobState: RawBuilder<unknown>;
  readonly jobOutcome: RawBuilder<unknown>;
  /** A function of src/store/sql/, schema-qualified. */
  fn(name: StoreFunction): RawBuilder<unknown>;
}

export type StoreFunction =
  | 'job_claim'
  | 'job_complete_many'
  | 'job_enqueue_many'
  | 'job_enqueue_new'
  | 'job_fail_many'
  | 'job_lease_extend'
  | 'job_lease_rescue_expired'
  | 'job_hand_back'
  | 'job_cancel'
  | 'job_cancel_descendants'
  | 'job_reset'
  | 'job_run_now'
  | 'job_prune'
  | 'job_maintain'
  | 'job_stats_compact'
  | 'job_outcome_partitions_ensure'
  | 'job_report_many'
  | 'worker_number'
  | 'job_type_control_set'
  | 'job_type_limits_declare'
  | 'job_schedule_declare'
  | 'job_schedule_advance'
  | 'admin_action_record';

export function createTables(schema: string): Tables {
  return {
    schema,
    jobs: sql.table(`${schema}.jobs`),
    jobTypes: sql.table(`${schema}.job_types`),
    jobQueue: sql.table(`${schema}.job_queue`),
    jobRunning: sql.table(`${schema}.job_running`),
    jobOutcomes: sql.table(`${schema}.job_outcomes`),
    jobLogs: sql.table(`${schema}.job_logs`),
    jobStats: sql.table(`${schema}.job_stats`),
    jobSnapshots: sql.table(`${schema}.job_snapshots`),
    jobIdSequence: `"${schema}"."jobs_id_seq"`,
    jobDependencies: sql.table(`${schema}.job_dependencies`),
    workers: sql.table(`${schema}.workers`),
    adminActions: sql.table(`${schema}.admin_actions`),
    jobState: sql.id(schema, 'job_state'),
    jobOutcome: sql.id(schema, 'job_outcome'),
    fn: (name) => sql.id(schema, name),
  };
}
