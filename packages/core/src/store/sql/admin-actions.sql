-- admin_action_record: appends the audit trail of one admin action (migrations/0006): one row per
-- job it names (none: one row for the type alone). Returns how many rows it wrote.
create or replace function admin_action_record(record_actor text, record_action text, record_job_ids bigint[],
                                               record_type_id integer, record_details jsonb)
returns integer
language plpgsql volatile set search_path from current as $$
declare
  written integer;
begin
  if coalesce(cardinality(record_job_ids), 0) = 0 then
    insert into admin_actions (actor, action, type_id, details) values (record_actor, record_action, record_type_id, record_details);
    return 1;
  end if;
  insert into admin_actions (actor, action, job_id, type_id, details)
  select record_actor, record_action, j.id, coalesce(record_type_id, j.type_id), record_details
  from unnest(record_job_ids) as u(id) join jobs j on j.id = u.id;
  get diagnostics written = row_count;
  return written;
end $$;
