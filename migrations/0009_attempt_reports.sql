-- Progress and log lines from handlers (issue 20): `context.progress(0.4, 'message')` and
-- `context.log(…)`, shown live on the admin's job page and kept with the attempt.
--
-- Progress lives with the running state while the attempt runs (job_running: no index covers the
-- new columns, so a write is a HOT update like a lease extension) and is copied to the attempt's
-- outcome row by whatever ends it (completion, failure, cancel, lost lease, hand-back). Handlers
-- that never report leave both columns null: nothing written, a null bit per row.
alter table job_running add column progress real, add column progress_message text,
  -- true once the attempt wrote log lines: an ephemeral success (no history) then deletes them.
  add column logged boolean;
alter table job_outcomes add column progress real, add column progress_message text;

-- Log lines, one row per line, appended by the worker in batches (src/store/sql/job-report.sql).
-- Partitioned by job id like job_outcomes, with the same spans and names (job_logs_<first id>):
-- retention drops a span's logs with its history (job_prune), and a job deleted row by row takes
-- its lines with it. `attempt` repeats after a person's retry (attempts count from 1 again):
-- `written_at` (the database clock at the write, before the attempt's outcome) tells the cycles
-- apart. No primary key: lines are only ever read by job.
create table job_logs (
  job_id bigint not null,
  attempt integer not null,
  -- 1, 2, 3 … within the attempt, as the handler wrote them.
  line integer not null,
  -- The worker's clock when the handler wrote the line.
  at timestamptz not null,
  level text not null,
  message text not null,
  data jsonb,
  written_at timestamptz not null default now()
) partition by range (job_id);
create table job_logs_default partition of job_logs default;
create index job_logs_job_idx on job_logs (job_id, attempt);

-- A job_logs partition for every job_outcomes partition there already is (the ensure function
-- creates both from now on).
do $$
declare
  part record;
  lower_id bigint;
begin
  for part in
    select c.relname::text as name
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'job_outcomes'::regclass and c.relname ~ '^job_outcomes_[0-9]+$'
  loop
    lower_id := substring(part.name from '[0-9]+$')::bigint;
    execute format('create table %I partition of job_logs for values from (%s) to (%s)',
                   'job_logs_' || lower_id, lower_id, lower_id + 16777216);
  end loop;
end $$;
