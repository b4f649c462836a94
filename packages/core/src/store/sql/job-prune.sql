-- Retention. A job's retention (retentionSeconds; null keeps it forever, 0 keeps no history)
-- sets expires_at on its final outcome; after that the job — record, outcomes, edges — may go.
--
-- job_prune(limit) works in two ways:
-- 1. Whole partitions. A partition of job_outcomes (a span of job ids, that is of time) is
--    dropped when no job in its span is live (queue or running row), none is kept forever, and
--    none of its outcomes expires later than now: with one retention for all jobs (the common
--    case), history goes a partition at a time, with no DELETE on job_outcomes at all. The records
--    of the span then go in one ranged DELETE on jobs' primary key (records cannot be partitioned:
--    the (type, key) identity must be unique across all of them).
--    Per-type or per-job retentions that differ keep a partition until its longest-kept job has
--    expired; a job kept forever keeps its partition (noted in job_outcome_partitions_kept, so
--    the check runs once).
-- 2. Row by row, oldest expiry first, up to `limit` jobs, in two kinds of span only: the one new
--    jobs go to (its short-lived jobs cannot wait for it to fill), and those that hold a job
--    kept forever (they will never go whole). An older span waits for its last job to expire and
--    then goes whole: expired history lingers at most as long as the longest retention in it.
-- Log lines (job_logs, partitioned alike) go with the history: the span's job_logs partition is
-- dropped with job_outcomes', and a job deleted row by row takes its lines.
-- Either way, a job whose output a live dependent (queued, waiting or running) still needs stays
-- until that dependent has finished, whatever its retention: the dependent reads the output when
-- it is claimed, and may run again after a failure.
-- Returns the number of jobs pruned.
create or replace function job_prune(prune_limit integer) returns bigint
language plpgsql volatile set search_path from current as $$
declare
  span bigint := job_outcome_partition_span();
  part record;
  lower_id bigint;
  pruned bigint := 0;
  deleted bigint;
begin
  for part in
    select c.relname::text as name
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'job_outcomes'::regclass and c.relname ~ '^job_outcomes_[0-9]+$'
      and c.relname not in (select k.name from job_outcome_partitions_kept k)
    order by substring(c.relname from '[0-9]+$')::bigint
  loop
    lower_id := substring(part.name from '[0-9]+$')::bigint;
    -- Never the partition new jobs go to.
    continue when (select s.last_value from jobs_id_seq s) < lower_id + span;
    continue when exists (select 1 from job_queue q where q.job_id >= lower_id and q.job_id < lower_id + span);
    continue when exists (select 1 from job_running r where r.job_id >= lower_id and r.job_id < lower_id + span);
    -- Something expires later (the partition's expires_at index): not yet.
    continue when exists (select 1 from job_outcomes o
                          where o.job_id >= lower_id and o.job_id < lower_id + span and o.expires_at >= now());
    -- A live dependent in a later span still needs an output from this one (at its claim):
    -- probed from the live side, each live row's edges into the span by the edges' key.
    continue when exists (select 1 from job_queue q join job_dependencies d on d.job_id = q.job_id
                          where d.depends_on_id >= lower_id and d.depends_on_id < lower_id + span);
    continue when exists (select 1 from job_running r join job_dependencies d on d.job_id = r.job_id
                          where d.depends_on_id >= lower_id and d.depends_on_id < lower_id + span);
    -- Everything with an expiry has expired; a job kept forever has none. This reads the span's
    -- records until it finds one, so it runs once per partition: found, it is remembered.
    if exists (select 1 from jobs j where j.id >= lower_id and j.id < lower_id + span and j.retention_seconds is null) then
      insert into job_outcome_partitions_kept (name) values (part.name) on conflict do nothing;
      continue;
    end if;
    execute format('drop table %I', part.name);
    execute format('drop table if exists %I', 'job_logs_' || lower_id);
    delete from job_dependencies d where d.job_id >= lower_id and d.job_id < lower_id + span;
    delete from jobs j where j.id >= lower_id and j.id < lower_id + span;
    get diagnostics deleted = row_count;
    pruned := pruned + deleted;
  end loop;

  with expired as (
    select o.job_id from job_outcomes o
    where o.expires_at < now() and o.final
      -- Kept while a dependent is live: it reads this output when it is claimed.
      and not exists (select 1 from job_dependencies d
                      where d.depends_on_id = o.job_id
                        and (exists (select 1 from job_queue q where q.job_id = d.job_id)
                             or exists (select 1 from job_running r where r.job_id = d.job_id)))
      and (o.job_id >= ((select s.last_value from jobs_id_seq s) / span) * span
           or (o.job_id / span) * span = any (array(
                select substring(k.name from '[0-9]+$')::bigint from job_outcome_partitions_kept k)))
    order by o.expires_at
    limit prune_limit
  ),
  locked as (
    select j.id from jobs j join expired e on e.job_id = j.id
    where not exists (select 1 from job_queue q where q.job_id = j.id)
      and not exists (select 1 from job_running r where r.job_id = j.id)
    for update of j skip locked
  ),
  outcomes_deleted as (delete from job_outcomes o using locked l where o.job_id = l.id),
  edges_deleted as (delete from job_dependencies d using locked l where d.job_id = l.id),
  logs_deleted as (delete from job_logs g using locked l where g.job_id = l.id),
  records_deleted as (delete from jobs j using locked l where j.id = l.id returning 1)
  select count(*) into deleted from records_deleted;
  return pruned + deleted;
end $$;

-- job_stats_compact: folds the per-worker rows of finished minutes into one row per (minute,
-- type) (worker 0), and minutes older than two days into hours. Keeps job_stats small: the
-- admin's chart reads a few thousand rows, not one per worker per minute forever.
create or replace function job_stats_compact() returns void
language plpgsql volatile set search_path from current as $$
begin
  with folded as (
    delete from job_stats s
    where (s.worker <> 0 and s.minute < date_trunc('minute', now()))
       or (s.minute < now() - interval '2 days' and s.minute <> date_trunc('hour', s.minute))
    returning case when s.minute < now() - interval '2 days' then date_trunc('hour', s.minute) else s.minute end as minute,
              s.type_id, s.succeeded, s.failed, s.retried, s.cancelled, s.run_ms_sum
  )
  insert into job_stats as s (minute, type_id, worker, succeeded, failed, retried, cancelled, run_ms_sum)
  select f.minute, f.type_id, 0, sum(f.succeeded), sum(f.failed), sum(f.retried), sum(f.cancelled), sum(f.run_ms_sum)
  from folded f group by f.minute, f.type_id
  on conflict (minute, type_id, worker) do update
    set succeeded = s.succeeded + excluded.succeeded, failed = s.failed + excluded.failed,
        retried = s.retried + excluded.retried, cancelled = s.cancelled + excluded.cancelled,
        run_ms_sum = s.run_ms_sum + excluded.run_ms_sum;
end $$;

-- job_maintain: the periodic housekeeping every worker offers to do (every minute by default),
-- done by one process at a time: the others find the lock taken and return at once (null).
-- Creates the next partition of history ahead of need, prunes expired jobs, folds counters.
create or replace function job_maintain(prune_limit integer) returns bigint
language plpgsql volatile set search_path from current as $$
declare
  pruned bigint;
begin
  if not pg_try_advisory_xact_lock(hashtext('jobby.job_maintain'), hashtext(current_schema())) then
    return null;
  end if;
  perform job_outcome_partitions_ensure();
  pruned := job_prune(prune_limit);
  perform job_stats_compact();
  return pruned;
end $$;
