-- The job store. Invariants the store's statements rely on:
--  * a job is identified by (type_id, key); submitting the pair again never creates a second row;
--  * state 'waiting' <=> pending_dependencies > 0 (dependencies not yet succeeded);
--  * state 'running' <=> the job holds a lease (worker_id, lease_expires_at) under attempt_token;
--    every completion is fenced by attempt_token, which changes on every claim;
--  * attempt history rows are written when an attempt ends without success; the latest successful
--    attempt is described by the job row itself (started_at, finished_at, worker_id).

create type job_state as enum ('queued', 'waiting', 'running', 'succeeded', 'failed', 'cancelled');

-- Every job type any registry has registered: namespaced id <-> 'plugin.Job'. A worker whose registry
-- maps a known id to another name refuses to start.
create table job_types (
  id integer primary key check (id >= 1000),
  name text not null unique,
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now()
);

create sequence attempt_token_seq;

create table jobs (
  id bigint generated always as identity primary key,
  type_id integer not null references job_types (id),
  key text not null check (length(key) between 1 and 512),
  state job_state not null,
  priority integer not null default 0,
  run_at timestamptz not null default now(),
  attempts integer not null default 0,
  max_attempts integer not null default 25 check (max_attempts between 1 and 1000),
  attempt_token bigint,
  worker_id text,
  lease_expires_at timestamptz,
  -- how many dependencies have not succeeded yet; the job is 'waiting' while this is > 0
  pending_dependencies integer not null default 0,
  -- how many dependencies it has in all (lets the claim skip the dependency lookup when 0)
  dependency_count integer not null default 0,
  input jsonb not null,
  input_bytes integer not null default 0,
  output jsonb,
  output_bytes integer,
  last_error jsonb,
  created_at timestamptz not null default now(),
  ready_at timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  retention_seconds integer,
  expires_at timestamptz,
  unique (type_id, key)
);

-- Claiming reads only this small partial index, however many finished jobs the table holds.
create index jobs_claim_idx on jobs (priority desc, run_at, id) include (type_id) where state = 'queued';
-- Rescuing expired leases.
create index jobs_lease_idx on jobs (lease_expires_at) where state = 'running';
-- Pruning.
create index jobs_expires_idx on jobs (expires_at) where expires_at is not null;

-- Many-to-many: a job may wait on several others (a DAG).
create table job_dependencies (
  job_id bigint not null references jobs (id) on delete cascade,
  depends_on_id bigint not null references jobs (id) on delete cascade,
  primary key (job_id, depends_on_id),
  check (job_id <> depends_on_id)
);
-- Completing a job finds its dependents through this index: work proportional to its dependents.
create index job_dependencies_depends_on_idx on job_dependencies (depends_on_id);

create table job_attempts (
  id bigint generated always as identity primary key,
  job_id bigint not null references jobs (id) on delete cascade,
  attempt integer not null,
  worker_id text,
  started_at timestamptz,
  finished_at timestamptz not null default now(),
  outcome text not null check (outcome in ('failed', 'timed_out', 'lease_expired', 'cancelled', 'handed_back')),
  error jsonb
);
create index job_attempts_job_idx on job_attempts (job_id, attempt);

create table workers (
  id text primary key,
  hostname text not null,
  pid integer not null,
  job_type_ids integer[] not null default '{}',
  concurrency integer not null,
  started_at timestamptz not null default now(),
  last_heartbeat_at timestamptz not null default now(),
  stopped_at timestamptz,
  metadata jsonb not null default '{}'
);
