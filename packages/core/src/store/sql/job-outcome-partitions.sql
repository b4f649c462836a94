-- job_outcomes' partitions: one per span of 2^24 job ids (~16.8M jobs), named
-- job_outcomes_<first id>. Ids are drawn in time order, so a partition is a span of time; the
-- retention pass (job_prune) drops a partition whole once every job in it has expired.
--
-- job_outcome_partitions_ensure creates the partition holding the next job id and, once the
-- sequence is past the middle of that one, the next: the maintenance loop calls it every minute
-- and the migrator once, so a partition exists well before the first outcome needs it (at 40,000
-- jobs/s half a span is ~3.5 minutes). The default partition catches an outcome that arrives
-- anyway; it must stay empty, since a partition cannot be created over rows in the default one
-- (ensure then reports it instead of failing).
create or replace function job_outcome_partition_span() returns bigint
language sql immutable as $$ select 16777216::bigint $$;

create or replace function job_outcome_partitions_ensure() returns setof text
language plpgsql volatile set search_path from current as $$
declare
  span bigint := job_outcome_partition_span();
  next_id bigint;
  first_id bigint;
  name text;
  parent text;
  stray boolean;
begin
  select case when s.is_called then s.last_value + 1 else s.last_value end into next_id from jobs_id_seq s;
  first_id := (next_id / span) * span;
  for lower_bound in 0..1 loop
    if lower_bound = 1 and next_id - first_id < span / 2 then
      exit;
    end if;
    foreach parent in array array['job_outcomes', 'job_logs'] loop
      name := parent || '_' || (first_id + lower_bound * span);
      continue when to_regclass(quote_ident(current_schema()) || '.' || quote_ident(name)) is not null;
      execute format('select exists (select 1 from %I o where o.job_id >= $1 and o.job_id < $2)', parent || '_default')
        into stray using first_id + lower_bound * span, first_id + (lower_bound + 1) * span;
      if stray then
        raise warning '%_default holds rows of jobs % to %: partition % not created (move those rows out first)',
          parent, first_id + lower_bound * span, first_id + (lower_bound + 1) * span - 1, name;
        continue;
      end if;
      execute format('create table %I partition of %I for values from (%s) to (%s)',
                     name, parent, first_id + lower_bound * span, first_id + (lower_bound + 1) * span);
      return next name;
    end loop;
  end loop;
end $$;
