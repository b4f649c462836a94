-- Both enqueue functions insert a batch's keys in one global order, (type_id, key) with the key
-- compared bytewise (collation "C"), whatever order the caller listed them in.
--
-- Why: inserting a key takes a lock on it until the transaction ends. A key that another
-- transaction inserted and has not committed yet makes the insert wait for that transaction (with
-- or without ON CONFLICT: the conflict can only be decided once the other one ends). Two batches
-- that share keys and list them in different orders could each hold a key the other one waits for:
-- a deadlock, which Postgres breaks after deadlock_timeout by failing one of them (40P01). Measured
-- with 8 clients each submitting the same 200 keys as 4 shuffled batches of 50 (the chaos scenario
-- submit-race, issue 16): 260 of 320 batches failed with `deadlock detected`, batches took 10 s
-- (p50) to 26 s, and only 1,464 of 2,000 jobs were created.
--
-- Invariant (the classic one): every transaction that inserts several keys takes their locks in
-- the same total order, so a wait-for cycle cannot form among enqueues: a transaction only ever
-- waits for a key greater than every key it already holds, so the holder of the greatest key held
-- never waits for another enqueue. The layered enqueue with dependencies (job-enqueue.ts) inserts
-- each layer's keys in the same order. What the order cannot cover: keys inserted by one
-- transaction in several statements (the layers of one batch, or several submits inside one
-- caller transaction) are locked statement by statement; the client retries a deadlock of its own
-- transactions (runtime/client.ts), never one of a caller's transaction.
--
-- The order must be the same everywhere, not any particular one: bytewise is the order job_keys.key
-- already compares in (migration 0010), cheap, and independent of the database's collation. The
-- key array's own collation is the database default, hence the explicit COLLATE "C".
--
-- Ids still follow the batch's order (the claim's tie-break between jobs of equal priority and
-- run_at): they are drawn in the batch CTE, which is read in the array's order and materialized
-- (it is referenced twice and calls nextval) before the keys are sorted for the insert. The jobs
-- insert and RETURNING keep id order, so the client matches rows back to the batch as before.
--
-- Cost: a sort of the batch (500 rows: a fraction of a millisecond next to the ~4–6 ms insert).
-- Otherwise as in 0007 (job_enqueue_many) and 0009 (job_enqueue_new): same signatures and results.

create or replace function job_enqueue_many(
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
      select t.*, nextval('jobs_id_seq') as id
      from unnest(enqueue_type_ids, enqueue_keys, enqueue_inputs, enqueue_input_bytes, enqueue_max_attempts,
                  enqueue_priorities, enqueue_run_at, enqueue_retention_seconds)
        as t(type_id, key, input, input_bytes, max_attempts, priority, run_at, retention_seconds)
    ),
    keys as (
      insert into job_keys (type_id, key, job_id)
      select b.type_id, b.key, b.id from batch b
      -- the global lock order (see above)
      order by b.type_id, b.key collate "C"
      on conflict (type_id, key) do nothing
      returning job_keys.job_id
    ),
    inserted as (
      insert into jobs (id, type_id, key, state, input, input_bytes, max_attempts, priority, run_at, ready_at, retention_seconds)
      overriding system value
      select b.id, b.type_id, b.key, 'queued', b.input, b.input_bytes, coalesce(b.max_attempts, default_max_attempts),
             coalesce(b.priority, 0), coalesce(b.run_at, now()), now(), b.retention_seconds
      from batch b
      where b.id in (select k.job_id from keys k)
      order by b.id
      returning jobs.id, jobs.type_id, jobs.key
    )
    select i.id, i.type_id, i.key from inserted i;
  if found then
    perform pg_notify(notify_channel, '');
  end if;
end
$$;

create or replace function job_enqueue_new(
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
returns table (id bigint)
language plpgsql volatile
set search_path from current
as $$
#variable_conflict use_column
begin
  return query
    with batch as (
      select t.*, nextval('jobs_id_seq') as id
      from unnest(enqueue_type_ids, enqueue_keys, enqueue_inputs, enqueue_input_bytes, enqueue_max_attempts,
                  enqueue_priorities, enqueue_run_at, enqueue_retention_seconds)
        as t(type_id, key, input, input_bytes, max_attempts, priority, run_at, retention_seconds)
    ),
    keys as (
      insert into job_keys (type_id, key, job_id)
      select b.type_id, b.key, b.id from batch b
      -- the global lock order (see above); a batch meeting an existing pair fails at the first one
      -- in this order, having inserted no job row (0009)
      order by b.type_id, b.key collate "C"
      returning 1
    ),
    inserted as (
      insert into jobs (id, type_id, key, state, input, input_bytes, max_attempts, priority, run_at, ready_at, retention_seconds)
      overriding system value
      select b.id, b.type_id, b.key, 'queued', b.input, b.input_bytes, coalesce(b.max_attempts, default_max_attempts),
             coalesce(b.priority, 0), coalesce(b.run_at, now()), now(), b.retention_seconds
      from batch b
      -- an uncorrelated subquery, run once before the first job row: it reads every key's row, so
      -- all the keys are in (or the statement failed) before any job is
      where (select count(*) from keys) > 0
      returning jobs.id
    )
    select i.id from inserted i;
  if found then
    perform pg_notify(notify_channel, '');
  end if;
end
$$;
