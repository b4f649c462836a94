-- Every job's type is registered in job_types, and a type with jobs cannot be deleted.
--
-- Triggers rather than a foreign key: a foreign key from jobs would check job_types once per
-- inserted row (a row-level trigger with a key-share lock each); this checks each distinct type
-- of an inserted batch once (a statement-level trigger over the transition table). The error
-- carries the constraint name job_types_required, which the store maps to UNKNOWN_JOB_TYPE.
create or replace function jobs_require_types() returns trigger
language plpgsql set search_path from current as $$
declare
  missing integer;
begin
  select min(i.type_id) filter (where t.id is null) into missing
  from (select distinct type_id from inserted_jobs) i
  left join lateral (select t.id from job_types t where t.id = i.type_id for key share) t on true;
  if missing is not null then
    raise exception 'job type id % is not registered in job_types', missing
      using errcode = 'foreign_key_violation', constraint = 'job_types_required',
            hint = 'Sync the registry''s job types first (syncJobTypes, or start a worker with that registry).';
  end if;
  return null;
end $$;

drop trigger if exists jobs_require_types on jobs;
create trigger jobs_require_types after insert on jobs
  referencing new table as inserted_jobs for each statement execute function jobs_require_types();

create or replace function job_types_keep_referenced() returns trigger
language plpgsql set search_path from current as $$
begin
  if tg_op = 'UPDATE' and new.id = old.id then
    return new;
  end if;
  if exists (select 1 from jobs j where j.type_id = old.id) then
    raise exception 'job type % (id %) still has jobs', old.name, old.id
      using errcode = 'foreign_key_violation', constraint = 'job_types_required';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end $$;

drop trigger if exists job_types_keep_referenced on job_types;
create trigger job_types_keep_referenced before delete or update of id on job_types
  for each row execute function job_types_keep_referenced();
