-- job_fail_many: records a batch of failed attempts, fenced like completion (only running rows
-- under the same attempt token; the others come back as neither retried nor failed: stale).
--
-- A retryable failure with attempts left goes back to job_queue after an exponential backoff with
-- jitter on the database clock, min(max, base × 2^(attempt−1)) × uniform(0.5, 1); its outcome
-- row is not final. Otherwise the job fails for good (a final outcome row) and its waiting
-- descendants are cancelled (job_cancel_descendants). Every failed attempt is in the history,
-- ephemeral jobs included (a failure is what history is for: an ephemeral job's final failure is
-- kept a week).
-- The attempt's progress moves from the running row to its outcome row (job-report.sql).
-- Returns one row per written attempt: 'retried' or 'failed', and one 'cancelled' row per
-- cancelled descendant.
create or replace function job_fail_many(
  fail_ids bigint[], fail_tokens bigint[], fail_errors jsonb[], fail_retryable boolean[], fail_outcomes job_outcome[],
  fail_backoff_base_ms double precision[], fail_backoff_max_ms double precision[], fail_run_ms double precision[],
  notify_channel text)
returns table (job_id bigint, result text)
language plpgsql volatile set search_path from current as $$
#variable_conflict use_column
declare
  failed_ids bigint[];
  retried_ids bigint[];
begin
  with input as (
    select * from unnest(fail_ids, fail_tokens, fail_errors, fail_retryable, fail_outcomes, fail_backoff_base_ms,
                         fail_backoff_max_ms, fail_run_ms)
      as u(id, token, error, retryable, outcome, backoff_base_ms, backoff_max_ms, run_ms)
  ),
  done as (
    delete from job_running r using input i
    where r.job_id = i.id and r.attempt_token = i.token
    returning r.job_id, r.type_id, r.attempt, r.worker, r.ready_at, r.claimed_at, r.retention_seconds,
              r.progress, r.progress_message, i.error, i.retryable, i.outcome, i.backoff_base_ms, i.backoff_max_ms, i.run_ms
  ),
  decided as (
    select d.*, j.priority, j.group_key, d.retryable and d.attempt < j.max_attempts as retry,
           now() + least(d.backoff_max_ms, d.backoff_base_ms * power(2, least(d.attempt - 1, 40)))
                   * (0.5 + random() * 0.5) * interval '1 millisecond' as retry_at
    from done d join jobs j on j.id = d.job_id
  ),
  recorded as (
    insert into job_outcomes (job_id, attempt, type_id, outcome, final, worker, ready_at, started_at, finished_at, error, expires_at,
                              progress, progress_message)
    select d.job_id, d.attempt, d.type_id, d.outcome, not d.retry, d.worker, d.ready_at,
           coalesce(now() - d.run_ms * interval '1 millisecond', d.claimed_at), now(), d.error,
           -- An ephemeral job's failure is kept a week: someone has to see it.
           case when not d.retry and d.retention_seconds is not null
                then now() + make_interval(secs => case when d.retention_seconds = 0 then 604800 else d.retention_seconds end) end,
           d.progress, d.progress_message
    from decided d
  ),
  requeued as (
    insert into job_queue (job_id, type_id, priority, run_at, attempts, ready_at, group_key)
    select d.job_id, d.type_id, d.priority, d.retry_at, d.attempt, d.retry_at, d.group_key
    from decided d where d.retry
    on conflict (job_id) do nothing
  ),
  counted as (
    select job_stats_bump(jsonb_agg(jsonb_build_object(
             'type_id', d.type_id, 'worker', d.worker,
             'failed', case when d.retry then 0 else 1 end, 'retried', case when d.retry then 1 else 0 end,
             'run_ms', coalesce(d.run_ms, extract(epoch from now() - d.claimed_at) * 1000))))
    from decided d having count(*) > 0
  )
  select array_agg(d.job_id) filter (where not d.retry), array_agg(d.job_id) filter (where d.retry)
  into failed_ids, retried_ids
  from decided d, (select count(*) from counted) as bumped;
  if retried_ids is not null then
    perform pg_notify(notify_channel, '');
    return query select unnest(retried_ids), 'retried';
  end if;
  if failed_ids is not null then
    return query select unnest(failed_ids), 'failed';
    return query select c, 'cancelled' from job_cancel_descendants(failed_ids) as c;
  end if;
end $$;
