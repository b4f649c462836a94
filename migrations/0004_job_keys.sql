-- A job's identity, (type_id, key), moves to its own table, written once when the job is enqueued.
--
-- Why: as a unique index on jobs, it got a new entry with every row version — at the claim and at
-- the completion too, since neither is a HOT update (state is indexed) — each with a uniqueness
-- check on text. Measured on the bench machine (tools/bench/README.md): processing 40k no-op jobs
-- without that index took 24 instead of 28 µs of CPU per job, +17% jobs/s. In its own table the
-- key is written once per job; enqueue pays one narrow row more.
--
-- Invariants: every job enqueued through the store has exactly one job_keys row, inserted in the
-- same statement as the job; lookups by (type_id, key) go through job_keys; jobs.key stays, for
-- reading. Pruning a job deletes its key in the same statement (the key can then be used again, as
-- before). There is no foreign key to jobs on purpose: its check, a query per inserted key, cost
-- ~2.5 µs per enqueued job (a sixth of the insert). A job deleted by hand, around the store, leaves
-- its key behind: submitting that key again then fails, naming it.

create table job_keys (
  type_id integer not null,
  key text not null,
  -- unique: one identity per job; also how pruning finds a job's key
  job_id bigint not null unique,
  primary key (type_id, key)
);

insert into job_keys (type_id, key, job_id) select type_id, key, id from jobs;

alter table jobs drop constraint jobs_type_id_key_key;

-- Enqueues a batch of jobs without dependencies, in order; returns the rows it inserted (pairs
-- that already existed are left alone: the client reads them back). The key first (ON CONFLICT on
-- job_keys decides which pairs are new), then the job, with the id its key drew. Workers are
-- notified when anything was inserted. A function, as in 0003: one round trip, planned once per
-- session — for a single job, planning the statement cost about as much as running it.
create function job_enqueue_many(
  enqueue_type_ids integer[],
  enqueue_keys text[],
  enqueue_inputs jsonb[],
  enqueue_input_bytes integer[],
  enqueue_max_attempts integer[],
  enqueue_priorities integer[],
  enqueue_run_at timestamptz[],
  enqueue_retention_seconds integer[],
  default_max_attempts integer,
  notify_channel text
)
returns table (id bigint, type_id integer, key text)
language plpgsql volatile
set search_path from current
as $$
#variable_conflict use_column
begin
  return query
    with batch as (
      select t.*
      from unnest(enqueue_type_ids, enqueue_keys, enqueue_inputs, enqueue_input_bytes, enqueue_max_attempts,
                  enqueue_priorities, enqueue_run_at, enqueue_retention_seconds)
        with ordinality as t(type_id, key, input, input_bytes, max_attempts, priority, run_at, retention_seconds, ord)
    ),
    keys as (
      insert into job_keys (type_id, key, job_id)
      -- ids follow the batch's order
      select b.type_id, b.key, nextval('jobs_id_seq') from batch b order by b.ord
      on conflict (type_id, key) do nothing
      returning job_keys.type_id, job_keys.key, job_keys.job_id
    ),
    inserted as (
      insert into jobs (id, type_id, key, state, input, input_bytes, max_attempts, priority, run_at, ready_at, retention_seconds)
      overriding system value
      select k.job_id, b.type_id, b.key, 'queued', b.input, b.input_bytes, coalesce(b.max_attempts, default_max_attempts),
             coalesce(b.priority, 0), coalesce(b.run_at, now()), now(), b.retention_seconds
      from keys k join batch b on b.type_id = k.type_id and b.key = k.key
      order by k.job_id
      returning jobs.id, jobs.type_id, jobs.key
    )
    select i.id, i.type_id, i.key from inserted i;
  if found then
    perform pg_notify(notify_channel, '');
  end if;
end
$$;
