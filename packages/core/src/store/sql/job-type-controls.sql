-- job_type_control_set: pauses or resumes a job type, and sets or clears its cluster-wide
-- concurrency limit (issue 19). Null arguments leave that control as it is; clear_concurrency
-- removes the limit. A type left with no control loses its row (its claims take the fast path
-- again). Resuming, or raising a limit, wakes idle workers (one NOTIFY). Returns the type's
-- controls after the change.
create or replace function job_type_control_set(control_type_id integer, set_paused boolean, set_concurrency integer,
                                                clear_concurrency boolean, notify_channel text,
                                                out paused boolean, out concurrency integer)
language plpgsql volatile set search_path from current as $$
begin
  if not exists (select 1 from job_types t where t.id = control_type_id) then
    raise exception 'job type id % is not registered in job_types', control_type_id
      using errcode = 'foreign_key_violation', constraint = 'job_types_required';
  end if;
  insert into job_type_controls as c (type_id, paused, concurrency)
  values (control_type_id, coalesce(set_paused, false), case when clear_concurrency then null else set_concurrency end)
  on conflict (type_id) do update
    set paused = coalesce(set_paused, c.paused),
        concurrency = case when clear_concurrency then null else coalesce(set_concurrency, c.concurrency) end,
        updated_at = now()
  returning c.paused, c.concurrency into paused, concurrency;
  if not paused and concurrency is null then
    delete from job_type_controls c where c.type_id = control_type_id;
  end if;
  if set_paused is false or set_concurrency is not null or clear_concurrency then
    perform pg_notify(notify_channel, '');
  end if;
end $$;
