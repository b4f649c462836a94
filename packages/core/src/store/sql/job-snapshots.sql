-- job_snapshots: one row per job in the shape of a whole job (the pre-v2 `jobs` row), put
-- together from its record, its hot row (job_queue or job_running) and its latest outcome.
--
-- For reads of a few jobs by id or key (a job's detail, the client's get, dependency checks at
-- enqueue): every part is a primary-key or job-id index probe. Do not scan it to count or list
-- millions of jobs: those read job_stats and job_outcomes' indexes (the admin's operations).
--
-- State: a queue row → queued (or waiting while dependencies are pending); a running row →
-- running; else the latest final outcome → succeeded, cancelled or failed (failed, timed out or
-- lease expired). A job without any of them (rows deleted around the store) has state null, which
-- the store reports as a malformed row.
create or replace view job_snapshots as
select
  j.id,
  j.type_id,
  j.key,
  case
    when q.job_id is not null then case when q.pending_dependencies > 0 then 'waiting' else 'queued' end
    when r.job_id is not null then 'running'
    when o.final then case o.outcome when 'succeeded' then 'succeeded' when 'cancelled' then 'cancelled' else 'failed' end
  end::job_state as state,
  coalesce(q.priority, j.priority) as priority,
  coalesce(q.run_at, j.run_at) as run_at,
  coalesce(q.attempts, r.attempt, o.attempt, 0) as attempts,
  j.max_attempts,
  r.attempt_token,
  w.id as worker_id,
  r.lease_expires_at,
  coalesce(q.pending_dependencies, 0) as pending_dependencies,
  j.dependency_count,
  j.input,
  j.input_bytes,
  case when q.job_id is null and r.job_id is null then o.output end as output,
  case when q.job_id is null and r.job_id is null then o.output_bytes end as output_bytes,
  case when r.job_id is null then o.error end as last_error,
  j.created_at,
  coalesce(q.ready_at, r.ready_at, o.ready_at) as ready_at,
  case when q.job_id is null then coalesce(r.claimed_at, o.started_at) end as started_at,
  case when q.job_id is null and r.job_id is null and o.final then o.finished_at end as finished_at,
  j.retention_seconds,
  case when q.job_id is null and r.job_id is null then o.expires_at end as expires_at
from jobs j
left join job_queue q on q.job_id = j.id
left join job_running r on r.job_id = j.id
left join workers w on w.number = r.worker
left join lateral (
  select o.* from job_outcomes o where o.job_id = j.id order by o.finished_at desc, o.attempt desc limit 1
) o on true;
