-- Cancelling: a person's cancel (job_cancel) and the cascade when a job can never succeed
-- (job_cancel_descendants, called when a job fails for good or is cancelled).

-- job_cancel_descendants: every job that (transitively) waits on one of root_ids can never run:
-- cancel them now, each with a reason naming the root job that failed. Only waiting jobs (queue
-- rows with pending dependencies) are touched; the walk follows job_dependencies' index from the
-- roots, so its cost is the size of the subtree, not of the table. Returns the cancelled ids.
create or replace function job_cancel_descendants(root_ids bigint[]) returns setof bigint
language plpgsql volatile set search_path from current as $$
begin
  return query
    with recursive descendants(id, root_id) as (
      select d.job_id, d.depends_on_id from job_dependencies d where d.depends_on_id = any (root_ids)
      union
      select d.job_id, x.root_id from job_dependencies d join descendants x on d.depends_on_id = x.id
    ),
    targets as (select distinct on (id) id, root_id from descendants order by id, root_id),
    roots as (
      select s.id, t.name || ':' || s.key as label, s.state
      from job_snapshots s join job_types t on t.id = s.type_id
      where s.id = any (root_ids)
    ),
    taken as (
      delete from job_queue q using targets t
      where q.job_id = t.id and q.pending_dependencies > 0
      returning q.job_id, q.type_id, q.attempts, q.ready_at, t.root_id
    ),
    recorded as (
      insert into job_outcomes (job_id, attempt, type_id, outcome, final, ready_at, error, expires_at)
      select k.job_id, k.attempts, k.type_id, 'cancelled', true, k.ready_at,
             jsonb_build_object(
               'code', 'DEPENDENCY_FAILED',
               'message', 'dependency ' || r.label || case when r.state = 'cancelled' then ' was cancelled' else ' failed' end,
               'details', jsonb_build_object('dependencyId', r.id::text)),
             case when j.retention_seconds is not null then now() + make_interval(secs => j.retention_seconds) end
      from taken k join roots r on r.id = k.root_id join jobs j on j.id = k.job_id
      returning job_id, type_id
    ),
    counted as (
      select job_stats_bump(jsonb_agg(jsonb_build_object('type_id', c.type_id, 'cancelled', 1))) from recorded c having count(*) > 0
    )
    select c.job_id from recorded c, (select count(*) from counted) as bumped;
end $$;

-- job_cancel: cancels a queued, waiting or running job (a running handler is told through
-- cancel_channel and aborted by its worker; its completion will be stale), then its waiting
-- descendants. A running attempt's progress moves to its outcome row (job-report.sql).
-- Returns the state the job had (null if it does not exist), whether it was
-- cancelled (false when it had already finished), and the cancelled descendants.
-- The record is locked first, as every operation on one job does (enqueue of a dependent holds
-- it in share mode).
create or replace function job_cancel(cancel_id bigint, reason text, cancel_channel text,
  out previous_state job_state, out cancelled boolean, out cancelled_descendants bigint[])
language plpgsql volatile set search_path from current as $$
declare
  found_id bigint;
  attempt_count integer;
  cancelled_type integer;
  cancelled_ready timestamptz;
  cancelled_started timestamptz;
  cancelled_worker integer;
  retention integer;
  cancelled_progress real;
  cancelled_message text;
begin
  cancelled := false;
  select j.id, j.retention_seconds into found_id, retention from jobs j where j.id = cancel_id for update;
  if found_id is null then
    return;
  end if;
  -- The queue row first, then the running row, each in its own statement: a claim that takes the
  -- job in between has committed by the time the second statement looks (the first waited for it).
  delete from job_queue q where q.job_id = cancel_id
    returning q.attempts, q.type_id, q.ready_at, case when q.pending_dependencies > 0 then 'waiting' else 'queued' end::job_state
    into attempt_count, cancelled_type, cancelled_ready, previous_state;
  if not found then
    delete from job_running r where r.job_id = cancel_id
      returning r.attempt, r.type_id, r.ready_at, r.claimed_at, r.worker, 'running'::job_state, r.progress, r.progress_message
      into attempt_count, cancelled_type, cancelled_ready, cancelled_started, cancelled_worker, previous_state, cancelled_progress, cancelled_message;
    if not found then
      select s.state into previous_state from job_snapshots s where s.id = cancel_id;
      return;
    end if;
    perform pg_notify(cancel_channel, cancel_id::text);
  end if;
  insert into job_outcomes (job_id, attempt, type_id, outcome, final, worker, ready_at, started_at, error, expires_at,
                            progress, progress_message)
  values (cancel_id, attempt_count, cancelled_type, 'cancelled', true, cancelled_worker, cancelled_ready, cancelled_started,
          jsonb_build_object('code', 'JOB_CANCELLED', 'message', reason),
          case when retention is not null then now() + make_interval(secs => retention) end,
          cancelled_progress, cancelled_message);
  perform job_stats_bump(jsonb_build_array(jsonb_build_object('type_id', cancelled_type, 'worker', cancelled_worker, 'cancelled', 1)));
  cancelled := true;
  cancelled_descendants := array(select job_cancel_descendants(array[cancel_id]));
end $$;
