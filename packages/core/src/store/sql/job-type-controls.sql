-- job_type_control_set: pauses or resumes a job type, sets or clears its cluster-wide concurrency
-- limit, and sets or clears its rate limit (at most rate_limit claims per rate_interval_ms; issue
-- 19). Null arguments leave that control as it is; clear_concurrency and clear_rate remove the
-- limit. A type left with no control loses its row (its claims take the fast path again).
-- Resuming, or raising or clearing a limit, wakes idle workers (one NOTIFY). Returns the type's
-- controls after the change. Changing a rate limit keeps the window of recent claims: a lower
-- limit holds from the next claim on.
create or replace function job_type_control_set(control_type_id integer, set_paused boolean, set_concurrency integer,
                                                clear_concurrency boolean, set_rate_limit integer, set_rate_interval_ms integer,
                                                clear_rate boolean, notify_channel text,
                                                out paused boolean, out concurrency integer, out rate_limit integer,
                                                out rate_interval_ms integer)
language plpgsql volatile set search_path from current as $$
begin
  if not exists (select 1 from job_types t where t.id = control_type_id) then
    raise exception 'job type id % is not registered in job_types', control_type_id
      using errcode = 'foreign_key_violation', constraint = 'job_types_required';
  end if;
  insert into job_type_controls as c (type_id, paused, concurrency, rate_limit, rate_interval_ms)
  values (control_type_id, coalesce(set_paused, false), case when clear_concurrency then null else set_concurrency end,
          case when clear_rate then null else set_rate_limit end, case when clear_rate then null else set_rate_interval_ms end)
  on conflict (type_id) do update
    set paused = coalesce(set_paused, c.paused),
        concurrency = case when clear_concurrency then null else coalesce(set_concurrency, c.concurrency) end,
        rate_limit = case when clear_rate then null else coalesce(set_rate_limit, c.rate_limit) end,
        rate_interval_ms = case when clear_rate then null else coalesce(set_rate_interval_ms, c.rate_interval_ms) end,
        updated_at = now()
  returning c.paused, c.concurrency, c.rate_limit, c.rate_interval_ms into paused, concurrency, rate_limit, rate_interval_ms;
  if not paused and concurrency is null and rate_limit is null then
    delete from job_type_controls c where c.type_id = control_type_id;
  end if;
  if set_paused is false or set_concurrency is not null or clear_concurrency or set_rate_limit is not null or clear_rate then
    perform pg_notify(notify_channel, '');
  end if;
end $$;
