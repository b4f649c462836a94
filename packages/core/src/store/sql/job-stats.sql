-- job_stats_bump: adds a completion batch's counts to the current minute's counters, one row per
-- (type, worker) of the batch. Rows are per worker so that two workers finishing the same type
-- in the same minute never wait on each other's row lock until commit (a shared row would
-- serialize every worker's completions). job_stats_compact (job-prune.sql) folds them later.
--
-- Called by the completion functions with the batch as a json array of
-- {type_id, worker, succeeded, failed, retried, cancelled, run_ms}.
create or replace function job_stats_bump(counts jsonb) returns void
language sql volatile set search_path from current as $$
  insert into job_stats as s (minute, type_id, worker, succeeded, failed, retried, cancelled, run_ms_sum)
  select date_trunc('minute', now()), c.type_id, coalesce(c.worker, 0),
         sum(coalesce(c.succeeded, 0)), sum(coalesce(c.failed, 0)), sum(coalesce(c.retried, 0)), sum(coalesce(c.cancelled, 0)),
         sum(coalesce(c.run_ms, 0))
  from jsonb_to_recordset(counts) as c(type_id integer, worker integer, succeeded integer, failed integer, retried integer, cancelled integer, run_ms double precision)
  group by c.type_id, coalesce(c.worker, 0)
  order by c.type_id, coalesce(c.worker, 0)
  on conflict (minute, type_id, worker) do update
    set succeeded = s.succeeded + excluded.succeeded, failed = s.failed + excluded.failed,
        retried = s.retried + excluded.retried, cancelled = s.cancelled + excluded.cancelled,
        run_ms_sum = s.run_ms_sum + excluded.run_ms_sum;
$$;
