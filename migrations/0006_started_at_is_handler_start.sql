-- A job's started_at says when its handler started, not when it was claimed.
--
-- Why: with prefetch, a worker claims jobs ahead of free slots; a claimed job may wait in the
-- worker's buffer before its handler runs, and the claim's time made that wait look like run time
-- (the admin's run-time percentiles, a job's timings). The worker measures each handler's run on
-- its own clock and sends it with the outcome; the completion sets started_at = now() - run time,
-- so finished_at - started_at is the handler's run and the wait in the buffer counts as queue
-- delay (started_at - ready_at). The failure path does the same (packages/core store/job-fail.ts).
--
-- job_complete_many gains an argument, complete_run_ms, as a new overload: the one of 0003 stays
-- for workers of the previous version still running during a rolling deploy (a worker migrates
-- at start, while older ones may still be completing jobs). Apart from that argument and the
-- started_at line it is the 0003 function; see there for why each statement is written as it is.

create function job_complete_many(
  complete_ids bigint[],
  complete_tokens bigint[],
  complete_outputs jsonb[],
  complete_output_bytes integer[],
  complete_run_again_at timestamptz[],
  complete_run_again_ms double precision[],
  -- how long each handler ran, in milliseconds (NULL: keep started_at, the claim's time)
  complete_run_ms double precision[],
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
        started_at = coalesce(now() - i.run_ms * interval '1 millisecond', j.started_at),
        finished_at = now(),
        lease_expires_at = null,
        last_error = null,
        attempts = case when i.run_again_at is null then j.attempts else 0 end,
        run_at = coalesce(i.run_again_at, j.run_at),
        expires_at = case when i.run_again_at is null and j.retention_seconds is not null
                          then now() + make_interval(secs => j.retention_seconds) end
    from (
      select u.id, u.token, u.output, u.output_bytes, u.run_ms,
             coalesce(u.run_again_at, now() + u.run_again_ms * interval '1 millisecond') as run_again_at
      from unnest(complete_ids, complete_tokens, complete_outputs, complete_output_bytes, complete_run_again_at, complete_run_again_ms, complete_run_ms)
        as u(id, token, output, output_bytes, run_again_at, run_again_ms, run_ms)
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
