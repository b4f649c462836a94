-- worker_number(worker_id): the small number that stands for a worker in job_running,
-- job_outcomes and job_stats (4 bytes per row instead of a ~40-byte text id).
--
-- A registered worker (workers row, written by its heartbeat) has one already; a process that
-- claims without registering (tests, tools) gets a row here on first use. Called once per claim
-- batch: one primary-key probe.
create or replace function worker_number(worker_id text) returns integer
language plpgsql volatile set search_path from current as $$
declare
  found_number integer;
begin
  select w.number into found_number from workers w where w.id = worker_id;
  if found_number is null then
    insert into workers (id) values (worker_id) on conflict (id) do nothing;
    select w.number into found_number from workers w where w.id = worker_id;
  end if;
  return found_number;
end $$;
