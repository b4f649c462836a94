-- job_reset: puts jobs back to a fresh, never-run state (a person's retry of a failed job, or a
-- re-run of a job and its subtree). Their history stays; what they had finished no longer expires.
--
-- Records are locked in id order first (as every operation on one job does). A running attempt
-- among them loses its running row: its completion will be stale, and its worker aborts the
-- handler at its next lease extension. Each job's pending dependencies are then counted from its
-- dependencies' states, where a dependency in the same set counts as pending; a job with a
-- dependency that failed or was cancelled (outside the set) is cancelled at once.
-- Returns the ids now queued or waiting.
create or replace function job_reset(reset_ids bigint[], notify_channel text) returns setof bigint
language plpgsql volatile set search_path from current as $$
declare
  readied integer;
begin
  perform 1 from jobs j where j.id = any (reset_ids) order by j.id for update;
  delete from job_queue q where q.job_id = any (reset_ids);
  delete from job_running r where r.job_id = any (reset_ids);
  update job_outcomes o set expires_at = null where o.job_id = any (reset_ids) and o.expires_at is not null;
  create temporary table job_reset_counts on commit drop as
    select j.id, j.type_id, j.priority, j.retention_seconds, j.group_key,
           count(d.depends_on_id) filter (where d.depends_on_id = any (reset_ids) or p.state is distinct from 'succeeded')::integer as pending,
           min(d.depends_on_id) filter (where not d.depends_on_id = any (reset_ids) and p.state in ('failed', 'cancelled')) as broken_id
    from jobs j
    left join job_dependencies d on d.job_id = j.id
    left join job_snapshots p on p.id = d.depends_on_id
    where j.id = any (reset_ids)
    group by j.id;
  insert into job_queue (job_id, type_id, priority, run_at, attempts, pending_dependencies, ready_at, group_key)
  select c.id, c.type_id, c.priority, now(), 0, c.pending, case when c.pending = 0 then now() end, c.group_key
  from job_reset_counts c where c.broken_id is null;
  get diagnostics readied = row_count;
  insert into job_outcomes (job_id, attempt, type_id, outcome, final, error, expires_at)
  select c.id, 0, c.type_id, 'cancelled', true,
         jsonb_build_object('code', 'DEPENDENCY_FAILED', 'message', 'a dependency (job ' || c.broken_id || ') failed or was cancelled',
                            'details', jsonb_build_object('dependencyId', c.broken_id::text)),
         case when c.retention_seconds is not null then now() + make_interval(secs => c.retention_seconds) end
  from job_reset_counts c where c.broken_id is not null;
  perform job_stats_bump(jsonb_agg(jsonb_build_object('type_id', c.type_id, 'cancelled', 1)))
  from job_reset_counts c where c.broken_id is not null having count(*) > 0;
  if readied > 0 then
    perform pg_notify(notify_channel, '');
  end if;
  return query select c.id from job_reset_counts c where c.broken_id is null;
  drop table job_reset_counts;
end $$;

-- job_run_now: makes a queued job that waits for its run-at time (or a retry's backoff) runnable
-- now. False when the job is not queued.
create or replace function job_run_now(run_id bigint, notify_channel text) returns boolean
language plpgsql volatile set search_path from current as $$
begin
  update job_queue q set run_at = now(), ready_at = now() where q.job_id = run_id and q.pending_dependencies = 0;
  if not found then
    return false;
  end if;
  perform pg_notify(notify_channel, '');
  return true;
end $$;
