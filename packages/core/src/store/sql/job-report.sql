-- job_report_many: what running handlers reported — progress (`context.progress(0.4, 'message')`)
-- and log lines (`context.log(…)`) — written by their worker in batches: at most every ~500 ms per
-- worker for all its attempts at once, and once more before an attempt's outcome
-- (src/runtime/worker/attempt-reports.ts). A handler that reports nothing never comes here.
--
-- Fenced like completion: only running rows under the same attempt token take a report (a worker
-- that lost its lease, or whose job was cancelled, writes nothing). Progress overwrites the
-- running row's (a HOT update: no index covers it, job_running is kept at fillfactor 50), and the
-- statement that ends the attempt copies it to the outcome row (job-complete.sql, job-fail.sql,
-- job-lease.sql, job-cancel.sql). Lines are appended to job_logs under the attempt's number;
-- the worker numbers them and enforces the bounds (1,000 lines, 64 KiB per attempt).
--
-- report_progress: null leaves the progress as it is; report_lines: a JSON array of
-- {line, at, level, message, data?} per job, or null. Returns the ids written (the others are stale).
create or replace function job_report_many(report_ids bigint[], report_tokens bigint[], report_progress real[],
  report_messages text[], report_lines jsonb[])
returns setof bigint
language sql volatile set search_path from current as $$
  with input as (
    select * from unnest(report_ids, report_tokens, report_progress, report_messages, report_lines)
      as u(id, token, progress, message, lines)
  ),
  updated as (
    update job_running r
    set progress = coalesce(i.progress, r.progress),
        progress_message = case when i.progress is null then r.progress_message else i.message end,
        logged = case when i.lines is null then r.logged else true end
    from input i
    where r.job_id = i.id and r.attempt_token = i.token
    returning r.job_id, r.attempt, i.lines
  ),
  appended as (
    insert into job_logs (job_id, attempt, line, at, level, message, data)
    select u.job_id, u.attempt, (l.value->>'line')::integer, (l.value->>'at')::timestamptz, l.value->>'level',
           l.value->>'message', l.value->'data'
    from updated u cross join lateral jsonb_array_elements(u.lines) l
    where u.lines is not null
  )
  select u.job_id from updated u;
$$;
