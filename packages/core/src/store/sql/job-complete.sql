-- job_complete_many: records a batch of successful attempts, fenced by their attempt tokens.
--
-- 1. Delete the running rows whose token still matches (a worker that lost its lease gets its
--    ids back as stale, and nothing it sent is written), and append one outcome row each, with
--    the output. A job that asked to run again goes back to job_queue (attempts start over); its
--    outcome row is not final, and its dependents keep waiting for its last run.
--    Ephemeral jobs (retention 0) leave no history: no outcome row and no record, unless
--    something depends on them (their output is then needed). An edge committed while this
--    statement waited for the running row is not in its snapshot: the enqueue that wrote it
--    marked the row (depended_on, migration 0004), and the deleted version carries the mark.
--    The minute's counters are bumped once for the batch (job_stats_bump). The attempt's
--    progress (written by the handler, job-report.sql) moves from the running row to the
--    outcome; an ephemeral job that wrote log lines loses them with its record (`logged`: no
--    probe of job_logs for the jobs that wrote none).
-- 2. A second statement, with a fresh snapshot, readies the dependents whose dependencies have now
--    all succeeded: work proportional to the dependents. Dependents are locked in id order, so two
--    completions that share dependents (a fan-in finished by several workers at once) queue for
--    them instead of deadlocking. An enqueue that adds a dependent holds a share lock on the
--    dependency's running row (job-enqueue.ts): either it sees the job finished, or step 2 sees
--    its edge.
--
-- Planned once per session with hash and merge joins, bitmap and sequential scans off: every
-- lookup is by primary key or job_dependencies' index, whatever the statistics of a young table
-- suggest. Returns the ids that were stale.
create or replace function job_complete_many(
  complete_ids bigint[], complete_tokens bigint[], complete_outputs jsonb[], complete_output_bytes integer[],
  complete_run_again_at timestamptz[], complete_run_again_ms double precision[], complete_run_ms double precision[],
  notify_channel text)
returns setof bigint
language plpgsql volatile set search_path from current
set enable_hashjoin = off set enable_mergejoin = off set enable_seqscan = off set enable_bitmapscan = off
as $$
declare
  completed bigint[];
  finished bigint[];
  readied integer;
  again integer;
begin
  with input as (
    select u.id, u.token, u.output, u.output_bytes, u.run_ms,
           coalesce(u.run_again_at, now() + u.run_again_ms * interval '1 millisecond') as again_at
    from unnest(complete_ids, complete_tokens, complete_outputs, complete_output_bytes, complete_run_again_at,
                complete_run_again_ms, complete_run_ms)
      as u(id, token, output, output_bytes, run_again_at, run_again_ms, run_ms)
  ),
  done as (
    delete from job_running r using input i
    where r.job_id = i.id and r.attempt_token = i.token
    returning r.job_id, r.type_id, r.attempt, r.worker, r.ready_at, r.claimed_at, r.retention_seconds, r.depended_on,
              r.progress, r.progress_message, r.logged, i.output, i.output_bytes, i.run_ms, i.again_at
  ),
  kept as (
    select d.*,
           d.again_at is null as final,
           case when d.retention_seconds = 0 and d.again_at is null
                then d.depended_on or exists (select 1 from job_dependencies x where x.depends_on_id = d.job_id)
                else true end as recorded
    from done d
  ),
  recorded as (
    insert into job_outcomes (job_id, attempt, type_id, outcome, final, worker, ready_at, started_at, finished_at,
                              output, output_bytes, expires_at, progress, progress_message)
    select k.job_id, k.attempt, k.type_id, 'succeeded', k.final, k.worker, k.ready_at,
           coalesce(now() - k.run_ms * interval '1 millisecond', k.claimed_at), now(),
           case when k.output = 'null'::jsonb then null else k.output end, k.output_bytes,
           case when k.final and k.retention_seconds is not null then now() + make_interval(secs => k.retention_seconds) end,
           k.progress, k.progress_message
    from kept k where k.recorded
  ),
  forgotten as (
    delete from jobs j using kept k where j.id = k.job_id and not k.recorded
  ),
  forgotten_edges as (
    delete from job_dependencies d using kept k where d.job_id = k.job_id and not k.recorded
  ),
  forgotten_logs as (
    delete from job_logs g using kept k where g.job_id = k.job_id and not k.recorded and k.logged
  ),
  requeued as (
    insert into job_queue (job_id, type_id, priority, run_at, attempts, ready_at, group_key)
    select k.job_id, k.type_id, j.priority, k.again_at, 0, k.again_at, j.group_key
    from kept k join jobs j on j.id = k.job_id
    where not k.final
    on conflict (job_id) do nothing
  ),
  counted as (
    select job_stats_bump(jsonb_agg(jsonb_build_object(
             'type_id', k.type_id, 'worker', k.worker, 'succeeded', case when k.final then 1 else 0 end,
             'run_ms', coalesce(k.run_ms, extract(epoch from now() - k.claimed_at) * 1000))))
    from kept k
    having count(*) > 0
  )
  select array_agg(k.job_id), array_agg(k.job_id) filter (where k.final), count(*) filter (where not k.final)
  into completed, finished, again
  from kept k, (select count(*) from counted) as bumped;
  if again > 0 then
    perform pg_notify(notify_channel, '');
  end if;
  if finished is not null then
    with counts as (
      select d.job_id, count(*)::integer as n
      from job_dependencies d
      where d.depends_on_id = any (finished)
      group by d.job_id
    ),
    locked as (
      select q.job_id, c.n
      from counts c join job_queue q on q.job_id = c.job_id
      where q.pending_dependencies > 0
      order by q.job_id
      for update of q
    ),
    updated as (
      update job_queue q
      set pending_dependencies = greatest(q.pending_dependencies - l.n, 0),
          ready_at = case when q.pending_dependencies - l.n <= 0 then now() else q.ready_at end
      from locked l
      where q.job_id = l.job_id
      returning q.pending_dependencies
    )
    select count(*) filter (where u.pending_dependencies = 0) into readied from updated u;
    if readied > 0 then
      perform pg_notify(notify_channel, '');
    end if;
  end if;
  return query select unnest(complete_ids) except select unnest(completed);
end $$;
