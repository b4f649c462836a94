-- The worker's hot statements as functions: the claim and the batch completion. (The enqueue of a
-- batch without dependencies, `job_enqueue_many`, is in 0004, with the table it writes first.)
--
-- Why functions: one round trip each, the arguments travel as arrays instead of every id and token
-- inlined into a fresh query text, and each is planned once per session (PL/pgSQL keeps the plans
-- of its statements): sent as fresh queries they were parsed and planned on every call, ~1 ms of a
-- 5 ms claim of 256 jobs on the bench machine (tools/bench/README.md). Both pin their plans with
-- planner settings in their SET clauses (they hold while the function runs, so also when its
-- plans are made): the good plan is known, and the statistics of a queue table are often wrong.
--
-- Both are VOLATILE: under READ COMMITTED each statement of a volatile function takes a fresh
-- snapshot, which the completion relies on (step 2 below). `set search_path from current` pins the
-- tables to the schema this migration runs in, whatever the caller's search_path.

-- Claims up to claim_limit ready jobs of the given types: pick with FOR UPDATE SKIP LOCKED from
-- jobs_claim_idx, then count the attempt, take the lease and set a fresh attempt token in the same
-- statement. Concurrent claimers get disjoint rows. Dependency outputs come along, looked up only
-- for jobs that have dependencies.
create function job_claim(
  claim_type_ids integer[],
  claim_limit integer,
  claim_worker_id text,
  claim_lease_seconds double precision
)
returns table (
  id bigint,
  type_id integer,
  key text,
  attempts integer,
  max_attempts integer,
  attempt_token bigint,
  input jsonb,
  -- epoch milliseconds: cheaper for the client to read than a timestamp, 500 times per batch
  lease_expires_at double precision,
  dependencies jsonb
)
language plpgsql volatile
set search_path from current
-- The plan must be the ordered walk of jobs_claim_idx that stops after claim_limit rows, whatever
-- the statistics say. Without statistics (a fresh table, or statistics taken while nothing was
-- queued) the planner estimates a handful of queued rows and prefers reading ALL of them through
-- another index, or a bitmap scan, and sorting: 8–27 ms per claim with 20k jobs queued, growing
-- with the backlog, against ~1 ms. With sorts and bitmap scans off, the ordered walk is the only
-- cheap plan. These settings hold while the function runs, so also when its plans are made.
set enable_sort = off
set enable_bitmapscan = off
as $$
#variable_conflict use_column
declare
  -- One attempt token for the whole batch: fencing needs a token that changes on every claim of a
  -- job (each claim draws a new one), not one per row; a sequence access per row cost more.
  claim_token bigint := nextval('attempt_token_seq');
  claim_lease_expires_at timestamptz := now() + make_interval(secs => claim_lease_seconds);
begin
  -- The claim does not wait for its WAL to reach the disk (an fsync: ~1 ms of a 4–5 ms pickup).
  -- Safe for at-least-once: WAL is written in order, so the claim is durable before anything that
  -- follows it — the job's completion, committed synchronously, flushes it. A crash can only forget
  -- the claims of the last moments; those jobs are queued again and run again, as after a lost
  -- lease. Local to the transaction: it outlives this function and applies to the commit.
  perform set_config('synchronous_commit', 'off', true);
  return query
    with candidates as (
      select j.id from jobs j
      where j.state = 'queued' and j.run_at <= now() and j.type_id = any (claim_type_ids)
      order by j.priority desc, j.run_at, j.id
      limit claim_limit
      for update skip locked
    ),
    claimed as (
      update jobs j
      set state = 'running',
          attempts = j.attempts + 1,
          attempt_token = claim_token,
          worker_id = claim_worker_id,
          lease_expires_at = claim_lease_expires_at,
          started_at = now()
      from candidates c
      where j.id = c.id
      returning j.id, j.type_id, j.key, j.attempts, j.max_attempts, j.attempt_token, j.input, j.lease_expires_at, j.dependency_count
    )
    select c.id, c.type_id, c.key, c.attempts, c.max_attempts, c.attempt_token, c.input,
      (extract(epoch from c.lease_expires_at) * 1000)::double precision,
      case when c.dependency_count > 0 then (
        select jsonb_agg(jsonb_build_object('type_id', p.type_id, 'key', p.key, 'output', p.output) order by p.id)
        from job_dependencies d join jobs p on p.id = d.depends_on_id
        where d.job_id = c.id
      ) end
    from claimed c;
end
$$;

-- Completes a batch of attempts successfully; returns the ids it did NOT complete, the stale ones:
-- their lease was lost (rescued, cancelled, or completed by someone else) and nothing sent for
-- them was written. Usually none: returning the completed ids instead cost the client a row to
-- parse per job.
--
-- The client sends the batch in id order: rows are then locked in the order an enqueue locks
-- dependencies (FOR SHARE, by id), and the two cannot deadlock.
--
-- 1. One fenced UPDATE marks the batch succeeded (or queued again, for jobs that asked to run again
--    at complete_run_again_at, or complete_run_again_ms after now on the database clock), storing
--    outputs. Only rows still 'running' under the same attempt token change.
-- 2. A second statement readies the dependents of the jobs that succeeded, once all of a
--    dependent's dependencies have: work proportional to the dependents, through
--    job_dependencies_depends_on_idx. It must be a separate statement: with its fresh snapshot it
--    sees a dependent enqueued concurrently (that enqueue locked this job FOR SHARE, so step 1
--    waited for it to commit).
create function job_complete_many(
  complete_ids bigint[],
  complete_tokens bigint[],
  complete_outputs jsonb[],
  complete_output_bytes integer[],
  complete_run_again_at timestamptz[],
  complete_run_again_ms double precision[],
  notify_channel text
)
returns setof bigint
language plpgsql volatile
set search_path from current
-- Each statement has one good plan, and these settings (with the `::text` fences below) leave the
-- planner no other: walk the batch, reach each job through its primary key; walk the finished
-- ids, reach their dependents through job_dependencies_depends_on_idx, then each dependent
-- through its primary key. Work proportional to the batch and its dependents, whatever the
-- statistics say — which on a fresh table (the benchmark's, or a new deployment's) they get wrong:
-- the planner rescanned the batch once per job (16 ms for 300 jobs instead of 3), re-read every
-- earlier job of the run through jobs_lease_idx (whose entries for finished jobs a bitmap scan
-- never marks dead: 32 µs per job after 15k jobs instead of 9), scanned job_dependencies
-- sequentially and hashed every waiting job of the table.
set enable_hashjoin = off
set enable_mergejoin = off
set enable_seqscan = off
set enable_bitmapscan = off
as $$
declare
  completed bigint[];
  finished bigint[];
  readied integer;
begin
  with marked as (
    update jobs j
    set state = case when i.run_again_at is null then 'succeeded' else 'queued' end::job_state,
        output = case when i.output = 'null'::jsonb then null else i.output end,
        output_bytes = i.output_bytes,
        finished_at = now(),
        lease_expires_at = null,
        last_error = null,
        attempts = case when i.run_again_at is null then j.attempts else 0 end,
        run_at = coalesce(i.run_again_at, j.run_at),
        expires_at = case when i.run_again_at is null and j.retention_seconds is not null
                          then now() + make_interval(secs => j.retention_seconds) end
    from (
      select u.id, u.token, u.output, u.output_bytes,
             coalesce(u.run_again_at, now() + u.run_again_ms * interval '1 millisecond') as run_again_at
      from unnest(complete_ids, complete_tokens, complete_outputs, complete_output_bytes, complete_run_again_at, complete_run_again_ms)
        as u(id, token, output, output_bytes, run_again_at, run_again_ms)
    ) i
    -- `state::text`: a condition no index matches (jobs_lease_idx and the admin index would).
    where j.id = i.id and j.attempt_token = i.token and j.state::text = 'running'
    returning j.id, j.state
  )
  select array_agg(m.id), array_agg(m.id) filter (where m.state = 'succeeded')
  into completed, finished
  from marked m;

  -- A job that runs again later has not finished: its dependents keep waiting for its last run.
  if finished is not null then
    with counts as (
      select d.job_id, count(*)::integer as n
      from job_dependencies d
      where d.depends_on_id = any (finished)
      group by d.job_id
    ),
    -- Dependents are locked in id order, so two completions that share dependents (a fan-in
    -- finished by several workers at once) queue for them instead of deadlocking.
    locked as (
      select j.id, c.n
      from counts c join jobs j on j.id = c.job_id
      where j.state::text = 'waiting'
      order by j.id
      for update of j
    ),
    updated as (
      update jobs j
      set pending_dependencies = j.pending_dependencies - l.n,
          state = case when j.pending_dependencies - l.n <= 0 then 'queued' else 'waiting' end::job_state,
          ready_at = case when j.pending_dependencies - l.n <= 0 then now() else j.ready_at end
      from locked l
      where j.id = l.id
      returning j.state
    )
    select count(*) filter (where u.state = 'queued') into readied from updated u;
    if readied > 0 then
      perform pg_notify(notify_channel, '');
    end if;
  end if;

  return query select unnest(complete_ids) except select unnest(completed);
end
$$;
