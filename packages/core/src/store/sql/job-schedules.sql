-- Schedules (issue 19). The worker computes the slots of a cron expression (croner, in
-- TypeScript); these functions only keep the cursor that makes each slot fire once.
--
-- job_schedule_declare: a starting worker records the schedules its modules declared, and marks
-- removed every schedule of its plugins' job types (scope_type_ids) that it did not declare, so
-- that a schedule deleted from code stops firing and is reported rather than silently kept.
-- Returns every schedule of those types with its cursor, the removed ones included, and the
-- database clock (all scheduling uses the database's time).
create or replace function job_schedule_declare(scope_type_ids integer[], type_ids integer[], names text[], crons text[],
                                                timezones text[], catch_ups text[])
returns table (type_id integer, name text, decided_until timestamptz, last_fire_at timestamptz,
               removed_at timestamptz, newly_removed boolean, now timestamptz)
language plpgsql volatile set search_path from current as $$
#variable_conflict use_column
begin
  insert into job_schedules as s (type_id, name, cron, timezone, catch_up)
  select d.type_id, d.name, d.cron, d.timezone, d.catch_up
    from unnest(type_ids, names, crons, timezones, catch_ups) as d (type_id, name, cron, timezone, catch_up)
  on conflict on constraint job_schedules_pkey do update
    set cron = excluded.cron, timezone = excluded.timezone, catch_up = excluded.catch_up,
        declared_at = now(), removed_at = null;
  return query
  with removed as (
    update job_schedules s set removed_at = now()
     where s.type_id = any (scope_type_ids) and s.removed_at is null
       and not exists (select 1 from unnest(type_ids, names) as d (type_id, name)
                        where d.type_id = s.type_id and d.name = s.name)
    returning s.type_id, s.name
  )
  select s.type_id, s.name, s.decided_until, s.last_fire_at,
         coalesce(s.removed_at, case when r.name is not null then now() end),
         r.name is not null, now()
    from job_schedules s
    left join removed r on r.type_id = s.type_id and r.name = s.name
   where s.type_id = any (scope_type_ids);
end $$;

-- job_schedule_advance: moves a schedule's cursor from expected_until to new_until, and records
-- fired_until as its last fire time when a slot was enqueued. A compare-and-set: when another
-- worker moved the cursor first (or the schedule was removed), nothing changes and advanced is
-- false; the caller then enqueues nothing and adopts the returned cursor. The row lock taken by
-- the update is held until the caller's transaction commits the jobs of the slots with it, so two
-- workers never both enqueue a slot, even one whose job has since been pruned.
create or replace function job_schedule_advance(schedule_type_id integer, schedule_name text, expected_until timestamptz,
                                                new_until timestamptz, fired_until timestamptz,
                                                out advanced boolean, out decided_until timestamptz,
                                                out removed boolean, out now timestamptz)
language plpgsql volatile set search_path from current as $$
#variable_conflict use_column
begin
  update job_schedules s
     set decided_until = new_until,
         last_fire_at = greatest(s.last_fire_at, fired_until)
   where s.type_id = schedule_type_id and s.name = schedule_name and s.removed_at is null
     and s.decided_until is not distinct from expected_until;
  advanced := found;
  select s.decided_until, s.removed_at is not null into decided_until, removed
    from job_schedules s where s.type_id = schedule_type_id and s.name = schedule_name;
  removed := coalesce(removed, true);
  now := now();
end $$;
