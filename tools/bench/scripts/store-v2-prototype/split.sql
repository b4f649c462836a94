-- Store v2 prototype, variant "split" (issue 17): the permanent record, a ready table (queued and
-- waiting), a running table (leases), append-only outcomes partitioned by time, per-minute rollups.
-- Replaces the four hot functions of the v1 schema with the same signatures, so that the real
-- worker and client (scripts/probe-jobby.ts) run on it. '@' is the probe's schema.
create table @.v2_jobs (
  id bigint primary key,
  type_id integer not null,
  key text collate "C" not null,
  input jsonb not null,
  input_bytes integer not null,
  max_attempts integer not null,
  priority integer not null,
  run_at timestamptz not null,
  retention_seconds integer,
  dependency_count integer not null default 0,
  created_at timestamptz not null default now(),
  unique (type_id, key)
);
create table @.v2_ready (
  job_id bigint primary key,
  type_id integer not null,
  priority integer not null,
  run_at timestamptz not null,
  attempts integer not null default 0,
  max_attempts integer not null,
  pending_dependencies integer not null default 0,
  ready_at timestamptz
) with (fillfactor = 90);
create index v2_ready_claim_idx on @.v2_ready (priority desc, run_at, job_id) include (type_id) where pending_dependencies = 0;
create table @.v2_running (
  job_id bigint RUNNING_PK,
  type_id integer not null,
  attempt integer not null,
  max_attempts integer not null,
  priority integer not null,
  run_at timestamptz not null,
  ready_at timestamptz,
  attempt_token bigint not null,
  worker_id text not null,
  lease_expires_at timestamptz not null,
  claimed_at timestamptz not null
) with (fillfactor = 70);
create table @.v2_outcomes (
  job_id bigint not null,
  attempt integer not null,
  type_id integer not null,
  outcome "char" not null,
  worker_id text,
  ready_at timestamptz,
  started_at timestamptz,
  finished_at timestamptz not null,
  output_bytes integer,
  output jsonb,
  error jsonb
) partition by range (finished_at);
create table @.v2_outcomes_p0 partition of @.v2_outcomes for values from ('2020-01-01') to ('2100-01-01');
create index on @.v2_outcomes (job_id);
OUTCOME_INDEXES
create table @.v2_counts (
  minute timestamptz not null,
  type_id integer not null,
  succeeded integer not null default 0,
  failed integer not null default 0,
  retried integer not null default 0,
  run_ms_sum double precision not null default 0,
  primary key (minute, type_id)
);

create or replace function @.job_enqueue_new(
  enqueue_type_ids integer[], enqueue_keys text[], enqueue_inputs jsonb[], enqueue_input_bytes integer[],
  enqueue_max_attempts integer[], enqueue_priorities integer[], enqueue_run_at timestamptz[], enqueue_retention_seconds integer[],
  default_max_attempts integer, notify_channel text)
returns table (id bigint) language plpgsql volatile set search_path from current as $$
#variable_conflict use_column
begin
  return query
    with batch as (
      select t.*, nextval('@.jobs_id_seq') as id
      from unnest(enqueue_type_ids, enqueue_keys, enqueue_inputs, enqueue_input_bytes, enqueue_max_attempts,
                  enqueue_priorities, enqueue_run_at, enqueue_retention_seconds)
        as t(type_id, key, input, input_bytes, max_attempts, priority, run_at, retention_seconds)
    ),
    records as (
      insert into @.v2_jobs (id, type_id, key, input, input_bytes, max_attempts, priority, run_at, retention_seconds)
      select b.id, b.type_id, b.key, b.input, b.input_bytes, coalesce(b.max_attempts, default_max_attempts),
             coalesce(b.priority, 0), coalesce(b.run_at, now()), b.retention_seconds from batch b
      returning id, max_attempts, priority, run_at, type_id
    ),
    ready as (
      insert into @.v2_ready (job_id, type_id, priority, run_at, max_attempts, ready_at)
      select r.id, r.type_id, r.priority, r.run_at, r.max_attempts, now() from records r
      returning job_id
    )
    select r.job_id from ready r;
  if found then perform pg_notify(notify_channel, ''); end if;
end $$;

create or replace function @.job_claim(claim_type_ids integer[], claim_limit integer, claim_worker_id text, claim_lease_seconds double precision)
returns table (id bigint, type_id integer, key text, attempts integer, max_attempts integer, attempt_token bigint, input jsonb, lease_expires_at double precision, dependencies jsonb)
language plpgsql volatile set search_path from current
set enable_sort = off set enable_bitmapscan = off set enable_hashjoin = off set enable_mergejoin = off
as $$
#variable_conflict use_column
declare
  claim_token bigint := nextval('@.attempt_token_seq');
  claim_lease_expires_at timestamptz := now() + make_interval(secs => claim_lease_seconds);
begin
  perform set_config('synchronous_commit', 'off', true);
  return query
    with candidates as (
      select r.ctid as row_address from @.v2_ready r
      where r.pending_dependencies = 0 and r.run_at <= now() and r.type_id = any (claim_type_ids)
      order by r.priority desc, r.run_at, r.job_id
      limit claim_limit
      for update skip locked
    ),
    taken as (
      delete from @.v2_ready r using candidates c where r.ctid = c.row_address
      returning r.*
    ),
    running as (
      insert into @.v2_running (job_id, type_id, attempt, max_attempts, priority, run_at, ready_at, attempt_token, worker_id, lease_expires_at, claimed_at)
      select t.job_id, t.type_id, t.attempts + 1, t.max_attempts, t.priority, t.run_at, t.ready_at, claim_token, claim_worker_id, claim_lease_expires_at, now()
      from taken t
      returning job_id, type_id, attempt, max_attempts
    )
    select r.job_id, r.type_id, j.key, r.attempt, r.max_attempts, claim_token, j.input,
      (extract(epoch from claim_lease_expires_at) * 1000)::double precision,
      case when j.dependency_count > 0 then '[]'::jsonb end
    from running r join @.v2_jobs j on j.id = r.job_id;
end $$;

create or replace function @.job_complete_many(
  complete_ids bigint[], complete_tokens bigint[], complete_outputs jsonb[], complete_output_bytes integer[],
  complete_run_again_at timestamptz[], complete_run_again_ms double precision[], complete_run_ms double precision[], notify_channel text)
returns setof bigint language plpgsql volatile set search_path from current
set enable_hashjoin = off set enable_mergejoin = off set enable_bitmapscan = off
as $$
declare
  completed bigint[];
begin
  with input as (
    select u.id, u.token, u.output, u.output_bytes, u.run_ms
    from unnest(complete_ids, complete_tokens, complete_outputs, complete_output_bytes, complete_run_ms)
      as u(id, token, output, output_bytes, run_ms)
  ),
  done as (
    delete from @.v2_running r using input i
    where r.job_id = i.id and r.attempt_token = i.token
    returning r.job_id, r.type_id, r.attempt, r.worker_id, r.ready_at, r.claimed_at, i.output, i.output_bytes, i.run_ms
  ),
  recorded as (
    insert into @.v2_outcomes (job_id, attempt, type_id, outcome, worker_id, ready_at, started_at, finished_at, output_bytes, output)
    select d.job_id, d.attempt, d.type_id, 's', d.worker_id, d.ready_at,
           coalesce(now() - d.run_ms * interval '1 millisecond', d.claimed_at), now(), d.output_bytes,
           case when d.output = 'null'::jsonb then null else d.output end
    from done d
    returning job_id, type_id, started_at
  ),
  counted as (
    insert into @.v2_counts as c (minute, type_id, succeeded, run_ms_sum)
    select date_trunc('minute', now()), r.type_id, count(*), sum(extract(epoch from now() - r.started_at) * 1000)
    from recorded r group by r.type_id
    on conflict (minute, type_id) do update set succeeded = c.succeeded + excluded.succeeded, run_ms_sum = c.run_ms_sum + excluded.run_ms_sum
    returning 1
  )
  select array_agg(r.job_id) into completed from recorded r where (select count(*) from counted) >= 0;
  return query select unnest(complete_ids) except select unnest(completed);
end $$;
