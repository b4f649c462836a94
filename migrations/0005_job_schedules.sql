-- Schedules declared by plugins (issue 19): one row per (job type, schedule name), written by the
-- workers that declare it. Each fire time (slot) becomes one job keyed by the slot, so the jobs'
-- (type, key) identity makes a slot run once however many workers fire it; this row keeps what
-- must survive restarts: how far the slots have been decided (enqueued, or skipped by the catch-up
-- policy), the last slot enqueued, and whether the code still declares the schedule.
create table job_schedules (
  type_id integer not null,
  name text not null,
  -- As declared in code (for `jobby schedules list` and the catch-up after downtime).
  cron text not null,
  timezone text not null,
  -- 'none', 'last' or 'up-to-N'.
  catch_up text not null,
  -- Every slot up to this instant is decided (its job enqueued, or skipped); null: none yet.
  decided_until timestamptz,
  -- The latest slot whose job was enqueued.
  last_fire_at timestamptz,
  declared_at timestamptz not null default now(),
  -- Set when a worker of the schedule's plugin starts without declaring it: it stops firing.
  removed_at timestamptz,
  primary key (type_id, name)
);
