-- Store v2 baseline (issue 17). Replaces the pre-release chain 0001_jobs … 0011 (never published);
-- the migrator refuses a schema created by that chain instead of half-migrating it.
--
-- The rule: a job's moving scheduling state and its permanent record never share a row.
--
--   jobs          the record: identity (type, key), input, options, created time. Written once at
--                 enqueue, never rewritten by claims or completions (so its indexes are touched once).
--   job_queue     narrow, hot: jobs waiting to run (queued, or waiting for dependencies). A claim
--                 deletes the row; nothing else in it changes but a dependency count or a run-at.
--   job_running   narrow, hot: leases of running attempts. Lease extensions are HOT updates (no
--                 index but the primary key); a terminal outcome deletes the row.
--   job_outcomes  append-only: one row per finished attempt (success, failure, timeout, lost lease,
--                 cancel, hand-back), with its output or error. Partitioned by job id range.
--   job_stats     per-minute counters per (type, worker), bumped once per completion batch; the
--                 admin's counts and throughput chart read these, never history.
--
-- A job's state is where it is: a row in job_queue (queued, or waiting while it has pending
-- dependencies), in job_running (running), else its latest final outcome (succeeded, failed,
-- cancelled). The view job_snapshots (src/store/sql/job-snapshots.sql) puts the pieces together.
--
-- No foreign keys between these tables: a terminal outcome deletes a hot row, and no cascade may
-- fire on that path. The store's functions keep them consistent (one transaction each), and the
-- tests and the chaos suite check it. Functions, triggers and views are not defined here: their
-- one current definition is in packages/core/src/store/sql/*.sql, applied by the migrator after
-- the migrations (see migrator.ts).

create type job_state as enum ('queued', 'waiting', 'running', 'succeeded', 'failed', 'cancelled');

-- How an attempt ended. 'succeeded' rows with final = false are runs that asked to run again.
create type job_outcome as enum ('succeeded', 'failed', 'timed_out', 'lease_expired', 'cancelled', 'handed_back');

create table job_types (
  id integer primary key check (id >= 1000),
  name text not null unique,
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now()
);

create table workers (
  id text primary key,
  -- A small number for the hot tables and history (4 bytes instead of a ~40-byte text id in
  -- every running row and outcome). Workers that claim without registering get one too
  -- (worker_number(), src/store/sql/worker-number.sql).
  number integer generated always as identity unique,
  hostname text not null default '',
  pid integer not null default 0,
  job_type_ids integer[] not null default '{}',
  concurrency integer not null default 0,
  started_at timestamptz not null default now(),
  last_heartbeat_at timestamptz not null default now(),
  stopped_at timestamptz,
  metadata jsonb not null default '{}'
);

create table jobs (
  id bigint generated always as identity primary key,
  type_id integer not null,
  -- Compared bytewise: keys are opaque identities; a collation would make distinct keys equal
  -- or reorder them between machines.
  key text collate "C" not null check (length(key) between 1 and 512),
  input jsonb not null,
  input_bytes integer not null default 0,
  max_attempts integer not null default 25 check (max_attempts between 1 and 1000),
  priority integer not null default 0,
  -- When the job was asked to run (the queue row has the current run-at).
  run_at timestamptz not null default now(),
  -- null: kept forever; 0: ephemeral (no history unless it fails or something depends on it).
  retention_seconds integer check (retention_seconds >= 0),
  dependency_count integer not null default 0,
  created_at timestamptz not null default now(),
  -- The identity. ON CONFLICT on it makes enqueue idempotent; batches insert in (type_id, key)
  -- order so that overlapping batches lock keys in one order and never deadlock.
  constraint jobs_identity unique (type_id, key)
);

create table job_queue (
  job_id bigint primary key,
  type_id integer not null,
  priority integer not null,
  run_at timestamptz not null,
  -- Attempts used so far (a retried job comes back with its count).
  attempts integer not null default 0,
  pending_dependencies integer not null default 0,
  ready_at timestamptz
);
-- Rows are inserted and deleted, rarely updated (a dependency count, run now): default fillfactor.
-- The claim walks this index in order and stops at its limit.
create index job_queue_claim_idx on job_queue (priority desc, run_at, job_id) include (type_id) where pending_dependencies = 0;
alter table job_queue set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
                           autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 5000,
                           autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 5000);

create table job_running (
  job_id bigint primary key,
  type_id integer not null,
  attempt integer not null,
  attempt_token bigint not null,
  worker integer not null,
  lease_expires_at timestamptz not null,
  claimed_at timestamptz not null default now(),
  ready_at timestamptz,
  retention_seconds integer
) with (fillfactor = 50);
-- fillfactor 50: lease extensions rewrite every running row every few seconds; with room on the
-- page and no index on lease_expires_at they are HOT. The table holds only running attempts
-- (thousands at most), so the lease sweep reads it whole. Vacuum it often: it churns its size
-- every few seconds under load.
alter table job_running set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000,
                             autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 2000,
                             autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 2000);

create sequence attempt_token_seq;

create table job_outcomes (
  job_id bigint not null,
  attempt integer not null,
  type_id integer not null,
  outcome job_outcome not null,
  -- true when this attempt ended the job (its state is then succeeded, failed or cancelled).
  final boolean not null,
  worker integer,
  ready_at timestamptz,
  started_at timestamptz,
  finished_at timestamptz not null default now(),
  output jsonb,
  output_bytes integer,
  error jsonb,
  -- When the final outcome's job may be pruned (null: kept).
  expires_at timestamptz
) partition by range (job_id);
-- Partitioned by job id: ids are drawn in time order, so a partition holds the jobs created in
-- one span of time, and every lookup by job id (a dependency's output, a job's history) reads one
-- partition. Retention drops a partition whole once all its jobs have expired (job_prune):
-- job_outcome_partitions_ensure creates them ahead of the id sequence; the default partition
-- catches anything outside (it should stay empty).
create table job_outcomes_default partition of job_outcomes default;
create index job_outcomes_job_idx on job_outcomes (job_id);
-- The admin's list of failed jobs, newest first.
create index job_outcomes_failed_idx on job_outcomes (finished_at) include (type_id) where final and outcome <> 'succeeded';
-- Finished jobs by time, for lists over millions of rows: a BRIN index costs the append nothing.
create index job_outcomes_finished_brin on job_outcomes using brin (finished_at);
create index job_outcomes_expires_idx on job_outcomes (expires_at) where expires_at is not null;

-- Partitions the retention pass found holding a job kept forever: never checked again (job_prune).
create table job_outcome_partitions_kept (name text primary key);

create table job_dependencies (
  job_id bigint not null,
  depends_on_id bigint not null check (job_id <> depends_on_id),
  primary key (job_id, depends_on_id)
);
create index job_dependencies_depends_on_idx on job_dependencies (depends_on_id);

-- Counters per minute, type and worker, bumped once per completion batch (one row per worker:
-- two workers finishing the same type in the same minute never wait for each other's row lock).
-- job_stats_compact folds finished minutes into worker 0 and, after two days, minutes into hours.
create table job_stats (
  minute timestamptz not null,
  type_id integer not null,
  worker integer not null,
  succeeded integer not null default 0,
  failed integer not null default 0,
  retried integer not null default 0,
  cancelled integer not null default 0,
  run_ms_sum double precision not null default 0,
  primary key (minute, type_id, worker)
);

-- Which version of each file in src/store/sql/ is applied (the migrator's checksums).
create table store_definitions (
  name text primary key,
  checksum text not null,
  applied_at timestamptz not null default now()
);
