-- Enqueue of batches without dependencies: the record (jobs) and the queue row (job_queue) in
-- one statement. Batches with dependencies go through the store's layered insert
-- (job-enqueue.ts), which writes the same two rows plus the edges.
--
-- Ids are drawn in the batch's order (the claim breaks ties by id: a batch runs in the order it
-- was submitted), and rows are inserted in (type_id, key) order, bytewise: the identity's unique
-- index locks keys in that one global order, so batches that share keys in different orders queue
-- behind each other instead of deadlocking (issue 16).
--
-- job_enqueue_many is idempotent: a (type, key) that exists is skipped (ON CONFLICT DO NOTHING),
-- and only the new jobs come back; the store reads the others. job_enqueue_new is for batches the
-- store expects to be all new (it learned so from the previous batch): without the conflict
-- check, it costs Postgres ~20% less per row, and a batch that meets an existing pair fails on
-- the identity (23505, jobs_identity) having written nothing; the store then retries it here.
-- One NOTIFY per batch that queued something wakes idle workers. enqueue_trace_parents carries
-- each job's submitter's trace context (null without tracing; migration 0008), enqueue_group_keys
-- each job's group key (null for types without one; migration 0010).
create or replace function job_enqueue_many(
  enqueue_type_ids integer[], enqueue_keys text[], enqueue_inputs jsonb[], enqueue_input_bytes integer[],
  enqueue_max_attempts integer[], enqueue_priorities integer[], enqueue_run_at timestamptz[], enqueue_retention_seconds integer[],
  enqueue_trace_parents text[], enqueue_group_keys text[], default_max_attempts integer, notify_channel text)
returns table (id bigint, type_id integer, key text)
language plpgsql volatile set search_path from current as $$
#variable_conflict use_column
begin
  return query
    with batch as (
      select t.*, nextval('jobs_id_seq') as id
      from unnest(enqueue_type_ids, enqueue_keys, enqueue_inputs, enqueue_input_bytes, enqueue_max_attempts,
                  enqueue_priorities, enqueue_run_at, enqueue_retention_seconds, enqueue_trace_parents, enqueue_group_keys)
        as t(type_id, key, input, input_bytes, max_attempts, priority, run_at, retention_seconds, trace_parent, group_key)
    ),
    inserted as (
      insert into jobs (id, type_id, key, input, input_bytes, max_attempts, priority, run_at, retention_seconds, trace_parent, group_key)
      overriding system value
      select b.id, b.type_id, b.key, b.input, b.input_bytes, coalesce(b.max_attempts, default_max_attempts),
             coalesce(b.priority, 0), coalesce(b.run_at, now()), b.retention_seconds, b.trace_parent, b.group_key
      from batch b
      order by b.type_id, b.key collate "C"
      on conflict (type_id, key) do nothing
      returning jobs.id, jobs.type_id, jobs.key, jobs.priority, jobs.run_at, jobs.group_key
    ),
    queued as (
      insert into job_queue (job_id, type_id, priority, run_at, ready_at, group_key)
      select i.id, i.type_id, i.priority, i.run_at, now(), i.group_key from inserted i
    )
    select i.id, i.type_id, i.key from inserted i;
  if found then
    perform pg_notify(notify_channel, '');
  end if;
end $$;

create or replace function job_enqueue_new(
  enqueue_type_ids integer[], enqueue_keys text[], enqueue_inputs jsonb[], enqueue_input_bytes integer[],
  enqueue_max_attempts integer[], enqueue_priorities integer[], enqueue_run_at timestamptz[], enqueue_retention_seconds integer[],
  enqueue_trace_parents text[], enqueue_group_keys text[], default_max_attempts integer, notify_channel text)
returns table (id bigint)
language plpgsql volatile set search_path from current as $$
#variable_conflict use_column
begin
  return query
    with batch as (
      select t.*, nextval('jobs_id_seq') as id
      from unnest(enqueue_type_ids, enqueue_keys, enqueue_inputs, enqueue_input_bytes, enqueue_max_attempts,
                  enqueue_priorities, enqueue_run_at, enqueue_retention_seconds, enqueue_trace_parents, enqueue_group_keys)
        as t(type_id, key, input, input_bytes, max_attempts, priority, run_at, retention_seconds, trace_parent, group_key)
    ),
    inserted as (
      insert into jobs (id, type_id, key, input, input_bytes, max_attempts, priority, run_at, retention_seconds, trace_parent, group_key)
      overriding system value
      select b.id, b.type_id, b.key, b.input, b.input_bytes, coalesce(b.max_attempts, default_max_attempts),
             coalesce(b.priority, 0), coalesce(b.run_at, now()), b.retention_seconds, b.trace_parent, b.group_key
      from batch b
      order by b.type_id, b.key collate "C"
      returning jobs.id, jobs.type_id, jobs.priority, jobs.run_at, jobs.group_key
    ),
    queued as (
      insert into job_queue (job_id, type_id, priority, run_at, ready_at, group_key)
      select i.id, i.type_id, i.priority, i.run_at, now(), i.group_key from inserted i
    )
    select i.id from inserted i;
  if found then
    perform pg_notify(notify_channel, '');
  end if;
end $$;
