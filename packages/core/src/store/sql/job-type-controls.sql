-- Flow control per job type (issue 19): pause, a cluster-wide concurrency limit, a rate limit (at
-- most rate_limit claims per rate_interval_ms) and a per-group concurrency limit (at most
-- group_concurrency running per group key).
--
-- Precedence. Limits come from two places: the code (`JobRegistry.limit`, written by every worker
-- at start: job_type_limits_declare) and run time (jobby types limit, the client, the admin API:
-- job_type_control_set). A value set at run time wins until it is cleared (clear_limits), then
-- the code's value is in force again; the *_overridden flags record which side is in force, and
-- the columns the claim reads hold the value in force, so the claim never resolves precedence.
-- Removing a limit at run time ("none") where the code declares one is an override too (no limit
-- until cleared); where the code declares none, it simply removes the run-time value.
--
-- A type left with no control (not paused, nothing declared, nothing in force) loses its row: its
-- claims take the fast path again. Loosening a control (resume, a limit raised, removed or
-- cleared) wakes idle workers (one NOTIFY). Changing a rate limit keeps the window of recent
-- claims: a lower limit holds from the next claim on.

-- Recomputes what is in force from the declared values and the overrides, then drops the row when
-- nothing is left.
create or replace function job_type_controls_settle(settle_type_id integer) returns void
language sql volatile set search_path from current as $$
  update job_type_controls c
  set concurrency = case when c.concurrency_overridden then c.concurrency else c.declared_concurrency end,
      rate_limit = case when c.rate_overridden then c.rate_limit else c.declared_rate_limit end,
      rate_interval_ms = case when c.rate_overridden then c.rate_interval_ms else c.declared_rate_interval_ms end,
      group_concurrency = case when c.group_concurrency_overridden then c.group_concurrency else c.declared_group_concurrency end
  where c.type_id = settle_type_id;
  delete from job_type_controls c
  where c.type_id = settle_type_id and not c.paused and c.concurrency is null and c.rate_limit is null and c.group_concurrency is null
    and c.declared_concurrency is null and c.declared_rate_limit is null and c.declared_group_concurrency is null;
$$;

-- job_type_control_set: a run-time change. Null arguments leave that control as it is; none_*
-- removes a limit (an override where the code declares one); clear_limits drops every run-time
-- limit of the type first (back to the code's values). Returns the type's controls after it.
create or replace function job_type_control_set(control_type_id integer, set_paused boolean,
                                                set_concurrency integer, none_concurrency boolean,
                                                set_rate_limit integer, set_rate_interval_ms integer, none_rate boolean,
                                                set_group_concurrency integer, none_group_concurrency boolean,
                                                clear_limits boolean, notify_channel text)
returns table (paused boolean, concurrency integer, rate_limit integer, rate_interval_ms integer, group_concurrency integer,
               declared_concurrency integer, declared_rate_limit integer, declared_rate_interval_ms integer,
               declared_group_concurrency integer, concurrency_overridden boolean, rate_overridden boolean,
               group_concurrency_overridden boolean)
language plpgsql volatile set search_path from current as $$
#variable_conflict use_column
begin
  if not exists (select 1 from job_types t where t.id = control_type_id) then
    raise exception 'job type id % is not registered in job_types', control_type_id
      using errcode = 'foreign_key_violation', constraint = 'job_types_required';
  end if;
  insert into job_type_controls (type_id) values (control_type_id) on conflict (type_id) do nothing;
  update job_type_controls c
  set paused = coalesce(set_paused, c.paused),
      concurrency_overridden = case when set_concurrency is not null then true
                                    when none_concurrency then c.declared_concurrency is not null
                                    when clear_limits then false else c.concurrency_overridden end,
      concurrency = case when set_concurrency is not null then set_concurrency when none_concurrency then null else c.concurrency end,
      rate_overridden = case when set_rate_limit is not null then true
                             when none_rate then c.declared_rate_limit is not null
                             when clear_limits then false else c.rate_overridden end,
      rate_limit = case when set_rate_limit is not null then set_rate_limit when none_rate then null else c.rate_limit end,
      rate_interval_ms = case when set_rate_limit is not null then set_rate_interval_ms when none_rate then null else c.rate_interval_ms end,
      group_concurrency_overridden = case when set_group_concurrency is not null then true
                                          when none_group_concurrency then c.declared_group_concurrency is not null
                                          when clear_limits then false else c.group_concurrency_overridden end,
      group_concurrency = case when set_group_concurrency is not null then set_group_concurrency
                               when none_group_concurrency then null else c.group_concurrency end,
      updated_at = now()
  where c.type_id = control_type_id;
  perform job_type_controls_settle(control_type_id);
  if set_paused is false or set_concurrency is not null or none_concurrency or set_rate_limit is not null or none_rate
     or set_group_concurrency is not null or none_group_concurrency or clear_limits then
    perform pg_notify(notify_channel, '');
  end if;
  return query
    select coalesce(c.paused, false), c.concurrency, c.rate_limit, c.rate_interval_ms, c.group_concurrency,
           c.declared_concurrency, c.declared_rate_limit, c.declared_rate_interval_ms, c.declared_group_concurrency,
           coalesce(c.concurrency_overridden, false), coalesce(c.rate_overridden, false), coalesce(c.group_concurrency_overridden, false)
    from (select 1) as one left join job_type_controls c on c.type_id = control_type_id;
end $$;

-- job_type_limits_declare: the limits the code declares, written by a worker at start for the job
-- types of the plugins it loaded (scope_type_ids): a type of the scope missing from declare_type_ids
-- declares none (a limit removed from the code goes). Values set at run time stay in force. The
-- last worker to start wins: during a rolling deploy, the new code's values hold once a worker of
-- it has started.
create or replace function job_type_limits_declare(scope_type_ids integer[], declare_type_ids integer[],
                                                   declare_concurrency integer[], declare_rate_limit integer[],
                                                   declare_rate_interval_ms integer[], declare_group_concurrency integer[],
                                                   notify_channel text)
returns void
language plpgsql volatile set search_path from current as $$
declare
  settle_type integer;
begin
  insert into job_type_controls (type_id)
  select d.type_id from unnest(declare_type_ids) as d(type_id)
  order by d.type_id
  on conflict (type_id) do nothing;
  -- Locked in type order: workers starting at once never deadlock.
  perform 1 from job_type_controls c where c.type_id = any (scope_type_ids) order by c.type_id for update;
  update job_type_controls c
  set declared_concurrency = d.concurrency,
      declared_rate_limit = d.rate_limit,
      declared_rate_interval_ms = d.rate_interval_ms,
      declared_group_concurrency = d.group_concurrency,
      -- "No limit" set at run time overrides only a declared limit.
      concurrency_overridden = c.concurrency_overridden and (c.concurrency is not null or d.concurrency is not null),
      rate_overridden = c.rate_overridden and (c.rate_limit is not null or d.rate_limit is not null),
      group_concurrency_overridden = c.group_concurrency_overridden and (c.group_concurrency is not null or d.group_concurrency is not null),
      updated_at = now()
  from (select s.type_id, l.concurrency, l.rate_limit, l.rate_interval_ms, l.group_concurrency
        from unnest(scope_type_ids) as s(type_id)
        left join unnest(declare_type_ids, declare_concurrency, declare_rate_limit, declare_rate_interval_ms, declare_group_concurrency)
          as l(type_id, concurrency, rate_limit, rate_interval_ms, group_concurrency) on l.type_id = s.type_id) d
  where c.type_id = d.type_id
    and (c.declared_concurrency, c.declared_rate_limit, c.declared_rate_interval_ms, c.declared_group_concurrency)
        is distinct from (d.concurrency, d.rate_limit, d.rate_interval_ms, d.group_concurrency);
  for settle_type in select c.type_id from job_type_controls c where c.type_id = any (scope_type_ids) order by c.type_id loop
    perform job_type_controls_settle(settle_type);
  end loop;
  perform pg_notify(notify_channel, '');
end $$;
