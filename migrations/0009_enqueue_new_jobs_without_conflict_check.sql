-- A second enqueue function for batches expected to be all new: plain inserts, no ON CONFLICT.
--
-- Why: measured with pgbench on the bench machine (tools/bench/README.md, fix 22), a batch of 500
-- through job_enqueue_many (0007) cost Postgres ~5.1–6.1 ms. Of that, the key insert with
-- ON CONFLICT DO NOTHING cost ~2.3 ms, ~0.9 ms more than a plain insert of the same rows (a
-- speculative insertion per row: a probe of the index before the insert, then a confirmation
-- record after it; an anti-join probe instead costs the same), and joining the batch to the keys
-- that were new ~0.3 ms more. Through this function: ~4.1–4.4 ms (medians of 5 runs of 200
-- batches, alternated: 6.1 against 4.4).
--
-- Contract: every (type_id, key) of the batch is new and distinct, or the function inserts nothing
-- and raises unique_violation (SQLSTATE 23505) on the constraint job_keys_pkey. A pair that a
-- concurrent transaction inserted and has not committed yet makes this one wait for it, then raise
-- (or go on, if it rolled back). The store calls it only on its own pool, never on a transaction or
-- connection the caller passed (a failed statement would abort the caller's transaction), for
-- batches of more than one distinct pair, and goes back to job_enqueue_many when it raises
-- (job-enqueue.ts); it stops trying this function after a conflict until a batch turns out all new
-- again.
--
-- The keys go first, all of them (the jobs insert waits for their count), so a batch that meets an
-- existing pair fails at that pair, before any job row is written: a failed attempt leaves no dead
-- job rows and claim-index entries behind, only the keys inserted before the conflict (dead, for
-- vacuum). Inserting the jobs first and their keys from RETURNING was ~0.3 ms per 500 cheaper, but
-- a failed attempt then left 500 dead job rows.
--
-- Invariants kept: ids are drawn per row as the batch is read, so in the batch's order (the
-- caller still sorts the ids it gets back, so it does not depend on the order of RETURNING); every
-- job gets its job_keys row in the same statement; the job-type check is the jobs insert's trigger
-- (0007); workers are notified when anything was inserted.

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
    with batch as (
      select t.*, nextval('jobs_id_seq') as id
      from unnest(enqueue_type_ids, enqueue_keys, enqueue_inputs, enqueue_input_bytes, enqueue_max_attempts,
                  enqueue_priorities, enqueue_run_at, enqueue_retention_seconds)
        as t(type_id, key, input, input_bytes, max_attempts, priority, run_at, retention_seconds)
    ),
    keys as (
      insert into job_keys (type_id, key, job_id)
      select b.type_id, b.key, b.id from batch b
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
