-- Leases. A running job's lease is extended by its worker's heartbeat; a worker that dies stops
-- extending it, and any process's sweep hands the job back once the lease has expired (recovery
-- bound: lease + sweep interval). Handing back at shutdown does not count the attempt.
--
-- job_running has no index but its primary key and is kept at fillfactor 50: an extension is a
-- HOT update, and the sweep reads the (small) table whole. Whatever ends an attempt here moves its
-- progress (job-report.sql) to its outcome row.

-- job_lease_extend: extends the leases still held; returns the ids still held (the others were
-- lost, rescued or cancelled, and their handlers should stop).
create or replace function job_lease_extend(held_ids bigint[], held_tokens bigint[], lease_seconds double precision)
returns setof bigint
language sql volatile set search_path from current as $$
  update job_running r
  set lease_expires_at = now() + make_interval(secs => lease_seconds)
  from unnest(held_ids, held_tokens) as h(id, token)
  where r.job_id = h.id and r.attempt_token = h.token
  returning r.job_id;
$$;

-- job_lease_rescue_expired: jobs whose lease expired go back to the queue (their place kept: the
-- queue row's run-at is the record's, the time they were asked to run), or fail for good when no attempt is left,
-- cancelling their waiting descendants. Returns ('requeued' | 'failed' | 'cancelled', id) rows.
create or replace function job_lease_rescue_expired(rescue_limit integer, notify_channel text)
returns table (job_id bigint, result text)
language plpgsql volatile set search_path from current as $$
#variable_conflict use_column
declare
  failed_ids bigint[];
  requeued_ids bigint[];
begin
  with expired as (
    select r.job_id from job_running r
    where r.lease_expires_at < now()
    order by r.lease_expires_at
    limit rescue_limit
    for update skip locked
  ),
  taken as (
    delete from job_running r using expired e where r.job_id = e.job_id
    returning r.job_id, r.type_id, r.attempt, r.worker, r.ready_at, r.claimed_at, r.retention_seconds, r.progress, r.progress_message
  ),
  decided as (
    select t.*, j.priority, j.run_at, j.group_key, t.attempt < j.max_attempts as retry, w.id as worker_id
    from taken t join jobs j on j.id = t.job_id left join workers w on w.number = t.worker
  ),
  recorded as (
    insert into job_outcomes (job_id, attempt, type_id, outcome, final, worker, ready_at, started_at, error, expires_at,
                              progress, progress_message)
    select d.job_id, d.attempt, d.type_id, 'lease_expired', not d.retry, d.worker, d.ready_at, d.claimed_at,
           jsonb_build_object('code', 'LEASE_EXPIRED', 'message',
             'worker ' || coalesce(d.worker_id, '(unknown)') || ' stopped renewing its lease (it crashed or lost the database)'),
           case when not d.retry and d.retention_seconds is not null
                then now() + make_interval(secs => case when d.retention_seconds = 0 then 604800 else d.retention_seconds end) end,
           d.progress, d.progress_message
    from decided d
  ),
  requeued as (
    insert into job_queue (job_id, type_id, priority, run_at, attempts, ready_at, group_key)
    select d.job_id, d.type_id, d.priority, d.run_at, d.attempt, d.ready_at, d.group_key
    from decided d where d.retry
    on conflict (job_id) do nothing
  ),
  counted as (
    select job_stats_bump(jsonb_agg(jsonb_build_object(
             'type_id', d.type_id, 'worker', d.worker,
             'failed', case when d.retry then 0 else 1 end, 'retried', case when d.retry then 1 else 0 end)))
    from decided d having count(*) > 0
  )
  select array_agg(d.job_id) filter (where not d.retry), array_agg(d.job_id) filter (where d.retry)
  into failed_ids, requeued_ids
  from decided d, (select count(*) from counted) as bumped;
  if requeued_ids is not null then
    perform pg_notify(notify_channel, '');
    return query select unnest(requeued_ids), 'requeued';
  end if;
  if failed_ids is not null then
    return query select unnest(failed_ids), 'failed';
    return query select c, 'cancelled' from job_cancel_descendants(failed_ids) as c;
  end if;
end $$;

-- job_hand_back: gives running jobs back to the queue without counting the attempt (a worker
-- shutting down); the attempt is in the history as handed_back. Returns the ids handed back.
create or replace function job_hand_back(held_ids bigint[], held_tokens bigint[], notify_channel text)
returns setof bigint
language plpgsql volatile set search_path from current as $$
declare
  handed bigint[];
begin
  with taken as (
    delete from job_running r using unnest(held_ids, held_tokens) as h(id, token)
    where r.job_id = h.id and r.attempt_token = h.token
    returning r.job_id, r.type_id, r.attempt, r.worker, r.ready_at, r.claimed_at, r.progress, r.progress_message
  ),
  recorded as (
    insert into job_outcomes (job_id, attempt, type_id, outcome, final, worker, ready_at, started_at, error, progress, progress_message)
    select t.job_id, t.attempt, t.type_id, 'handed_back', false, t.worker, t.ready_at, t.claimed_at,
           jsonb_build_object('code', 'HANDED_BACK', 'message', 'the worker shut down before the job finished'),
           t.progress, t.progress_message
    from taken t
  ),
  requeued as (
    insert into job_queue (job_id, type_id, priority, run_at, attempts, ready_at, group_key)
    select t.job_id, t.type_id, j.priority, j.run_at, t.attempt - 1, t.ready_at, j.group_key
    from taken t join jobs j on j.id = t.job_id
    on conflict (job_id) do nothing
  )
  select array_agg(t.job_id) into handed from taken t;
  if handed is not null then
    perform pg_notify(notify_channel, '');
  end if;
  return query select unnest(handed);
end $$;
