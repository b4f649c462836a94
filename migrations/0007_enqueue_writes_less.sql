-- Enqueue writes less per job: the job-type check runs once per statement instead of once per row,
-- job_keys has one index fewer, and the enqueue function joins a batch to its new keys by id
-- instead of by sorted text.
--
-- Why: measured on the bench machine (tools/bench/README.md, fix 20), Postgres spent ~12.7 µs per
-- job in a batch enqueue of 500. Of that:
--   - ~1.4 µs was the foreign key jobs.type_id -> job_types: a trigger per inserted row, each
--     running a query that locks the same job_types row again. A batch has one type or a few. The
--     foreign key is replaced by a statement trigger that checks the distinct types of all the
--     rows a statement inserted: a few µs per statement, whatever its size;
--   - ~0.5 µs was the unique index on job_keys.job_id, whose only reader was pruning; pruning now
--     finds a job's key through the primary key, (type_id, key), which the job row holds;
--   - ~0.5–1 µs was matching the inserted keys back to the batch: two sorts by (type_id, key) and a
--     merge join. Each row now draws its id before the key insert, and the jobs insert takes the
--     rows whose id the key insert returned.
--
-- Invariants kept, and how:
--   - Every job's type_id is in job_types, for every insert (the store's or one by hand) and for an
--     update that changes type_id: the triggers below raise foreign_key_violation (SQLSTATE 23503,
--     as the foreign key did), naming the constraint job_types_required, which the store turns into
--     UNKNOWN_JOB_TYPE. They lock the types FOR KEY SHARE, as the foreign key's check did, so a type
--     cannot be deleted before the inserting transaction commits; and deleting or renumbering a
--     type that still has jobs is refused.
--   - Every job has exactly one key, and a key one job: ids come from jobs_id_seq, drawn once per
--     row; job_keys' primary key (type_id, key) stays unique.

alter table jobs drop constraint jobs_type_id_fkey;

alter table job_keys drop constraint job_keys_job_id_key;

-- Once per INSERT statement, over the distinct types of the rows it inserted (a transition table):
-- each is locked FOR KEY SHARE, as the foreign key's check locked it, so that a concurrent delete
-- of the type waits for this transaction (and one that committed first leaves its row out); a type
-- not found raises foreign_key_violation naming the constraint job_types_required. One statement:
-- a single-row insert costs what it cost with the foreign key (pgbench, one job per call: 366 µs
-- either way; a first version that called a helper function with three statements cost 57 µs
-- more per insert).
create function jobs_require_types()
returns trigger
language plpgsql
set search_path from current
as $$
declare
  missing integer;
begin
  select min(i.type_id) filter (where t.id is null) into missing
  from (select distinct type_id from inserted_jobs) i
  left join lateral (select t.id from job_types t where t.id = i.type_id for key share) t on true;
  if missing is not null then
    raise exception 'job type id % is not registered in job_types', missing
      using errcode = 'foreign_key_violation', constraint = 'job_types_required',
            hint = 'Sync the registry''s job types first (syncJobTypes, or start a worker with that registry).';
  end if;
  return null;
end
$$;

create trigger jobs_require_types
  after insert on jobs
  referencing new table as inserted_jobs
  for each statement execute function jobs_require_types();

-- Per row, but only for an UPDATE whose SET names type_id (jobby's never does).
create function jobs_require_type()
returns trigger
language plpgsql
set search_path from current
as $$
begin
  perform 1 from job_types t where t.id = new.type_id for key share;
  if not found then
    raise exception 'job type id % is not registered in job_types', new.type_id
      using errcode = 'foreign_key_violation', constraint = 'job_types_required';
  end if;
  return null;
end
$$;

create trigger jobs_require_type
  after update of type_id on jobs
  for each row when (old.type_id is distinct from new.type_id) execute function jobs_require_type();

-- Deleting a job type, or changing its id, while jobs of it exist would leave those jobs without a
-- type. Rare and by hand (jobby never deletes types), so a scan here is acceptable.
create function job_types_keep_referenced()
returns trigger
language plpgsql
set search_path from current
as $$
begin
  if tg_op = 'UPDATE' and new.id = old.id then
    return new;
  end if;
  if exists (select 1 from jobs j where j.type_id = old.id) then
    raise exception 'job type % (id %) still has jobs', old.name, old.id
      using errcode = 'foreign_key_violation', constraint = 'job_types_required';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end
$$;

create trigger job_types_keep_referenced
  before delete or update of id on job_types
  for each row execute function job_types_keep_referenced();

-- As in 0004 (same signature and result, so callers of either version work), with the join by id.
-- Ids follow the batch's order: the function scan yields the batch in order and nextval is drawn
-- per row as it does; a pair that already existed wastes its id, as before. The type check is the
-- insert's trigger.
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
