-- A second enqueue function for batches expected to be all new: plain inserts, no ON CONFLICT.
--
-- Why: measured with pgbench on the bench machine (tools/bench/README.md, fix 22), a batch of 500
-- through job_enqueue_many (0007) cost Postgres ~5.1 ms; of that, the key insert with
-- ON CONFLICT DO NOTHING cost ~2.3 ms, ~0.9 ms more than a plain insert of the same rows (a
-- speculative insertion per row: a probe of the index before the insert, then a confirmation
-- record after it), and joining the batch to the keys that were new cost another ~0.3 ms. The
-- same batch through this function: ~3.7–4.3 ms (medians of 5 runs of 200 batches: 5.1 against
-- 3.9–4.2 ms).
--
-- Contract: every (type_id, key) of the batch is new and distinct, or the function inserts
-- nothing and raises unique_violation (SQLSTATE 23505) on the constraint job_keys_pkey. A pair
-- that a concurrent transaction inserted and has not committed yet makes this one wait for it,
-- then raise (or go on, if it rolled back). The store calls it only outside the caller's
-- transaction (a failed statement would abort the caller's transaction), for batches of more
-- than one distinct pair, and goes back to job_enqueue_many when it raises (job-enqueue.ts). Such
-- a batch costs a failed attempt (the rows it inserted before the conflict stay dead until vacuum)
-- on top of job_enqueue_many, so the store stops trying this function after a conflict until a
-- batch turns out all new again.
--
-- Invariants kept: jobs first, their ids drawn from the identity as the batch is read, so in the
-- batch's order (the caller sorts the returned ids, so it does not depend on the order of
-- RETURNING); every job gets its job_keys row in the same statement; the job-type check is the
-- insert's trigger (0007); workers are notified when anything was inserted.

create function job_enqueue_new(
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
    with inserted as (
      insert into jobs (type_id, key, state, input, input_bytes, max_attempts, priority, run_at, ready_at, retention_seconds)
      select t.type_id, t.key, 'queued', t.input, t.input_bytes, coalesce(t.max_attempts, default_max_attempts),
             coalesce(t.priority, 0), coalesce(t.run_at, now()), now(), t.retention_seconds
      from unnest(enqueue_type_ids, enqueue_keys, enqueue_inputs, enqueue_input_bytes, enqueue_max_attempts,
                  enqueue_priorities, enqueue_run_at, enqueue_retention_seconds)
        as t(type_id, key, input, input_bytes, max_attempts, priority, run_at, retention_seconds)
      returning jobs.id, jobs.type_id, jobs.key
    ),
    keys as (
      insert into job_keys (type_id, key, job_id)
      select i.type_id, i.key, i.id from inserted i
    )
    select i.id from inserted i;
  if found then
    perform pg_notify(notify_channel, '');
  end if;
end
$$;
