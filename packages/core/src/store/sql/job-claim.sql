-- job_claim: takes up to claim_limit ready jobs of the given types for one worker.
--
-- job_claim_batch is one statement for one type: pick queue rows in claim order (priority, run-at,
-- id) from job_queue_type_claim_idx with FOR UPDATE SKIP LOCKED (concurrent claimers get disjoint
-- rows), delete them, and insert their running rows with one fresh attempt token for the claim
-- (it changes on every claim of a job, which is what fences a completion). The record (jobs) is
-- only read: input, key, limits, and for jobs with dependencies their outputs (each dependency's
-- latest final success). Rows are addressed by ctid between the pick and the delete: no second
-- index probe.
--
-- Fairness between types (issue 19). A claim of several types walks the index once per type and
-- shares its limit between them: first each type up to an equal share (in an order rotated at
-- random, so that no type always comes first), then what is left goes to the types that filled
-- their share, again in equal shares. One type's backlog (a 5,000-job retry storm) therefore
-- never takes the whole claim while another type has ready jobs. Priority orders jobs within a
-- type; between types, the claim shares. A claim of one type without controls is one call of
-- job_claim_batch, as before.
--
-- Flow control (job_type_controls, issue 19): a paused type is left out. A type with a
-- cluster-wide concurrency limit or a rate limit is claimed under a transaction-level advisory
-- lock on the type (it serializes the claims of that type only, and goes with the claim's
-- commit): up to its concurrency limit minus its running rows (job_running), and up to its rate
-- limit minus the claims of the last rate interval (the sliding window kept in its control row,
-- appended to here). A killed worker's running rows count until the lease sweep hands them back,
-- so a concurrency limit is never stuck longer than a lease; the rate window forgets a claim
-- after one interval whatever became of its worker.
--
-- Per-key groups (group_concurrency): a type with a group limit is claimed under the same lock by
-- job_claim_grouped, which takes no job of a group that already runs group_concurrency jobs and
-- steps over such groups to the others. Running rows carry their group key, so a killed worker's
-- slots are freed with its lease, as for the concurrency limit.
--
-- Run-at on time: a claim that took fewer jobs than its limit adds one row with a null id whose
-- lease_expires_at is the number of milliseconds until the earliest future run-at of its
-- (unpaused) types, or until the earliest full rate window among them reopens, or null: the
-- worker sets a timer for it instead of waiting for its next poll (job_next_run_at below; a few
-- index probes, and only when the claim ran dry).
--
-- A function: planned once per session, under planner settings that keep the plan the ordered
-- walk of the claim index whatever the statistics say (a fresh, unanalyzed queue table otherwise
-- gets sorts and bitmap scans). It commits without waiting for its WAL flush
-- (synchronous_commit off): a claim lost in a crash leaves the job in the queue, which is what a
-- lost claim means anyway; every later write of the job (completion) flushes, and a flush waits
-- for all earlier WAL, the claim's included.
-- job_claim_batch claims jobs of claim_type_ids[1] only (an array for the signature it always had).
create or replace function job_claim_batch(claim_type_ids integer[], claim_limit integer, claim_token bigint, claim_worker integer,
                                           claim_lease_expires_at timestamptz)
returns table (id bigint, type_id integer, key text, attempts integer, max_attempts integer, attempt_token bigint, input jsonb,
               lease_expires_at double precision, dependencies jsonb)
language plpgsql volatile set search_path from current
set enable_sort = off set enable_bitmapscan = off set enable_hashjoin = off set enable_mergejoin = off
as $$
#variable_conflict use_column
begin
  return query
    with candidates as (
      select q.ctid as row_address from job_queue q
      where q.pending_dependencies = 0 and q.run_at <= now() and q.type_id = claim_type_ids[1]
      order by q.type_id, q.priority desc, q.run_at, q.job_id
      limit claim_limit
      for update skip locked
    ),
    taken as (
      delete from job_queue q using candidates c where q.ctid = c.row_address
      returning q.job_id, q.type_id, q.attempts + 1 as attempt, q.ready_at, q.group_key
    ),
    claimed as (
      select t.job_id, t.type_id, t.attempt, t.ready_at, t.group_key, j.key, j.input, j.max_attempts, j.retention_seconds, j.dependency_count
      from taken t join jobs j on j.id = t.job_id
    ),
    -- A job that is somehow also running already (rows written around the store) keeps that
    -- attempt: its stray queue row is gone, and it is not handed out twice.
    running as (
      insert into job_running (job_id, type_id, attempt, attempt_token, worker, lease_expires_at, claimed_at, ready_at, retention_seconds, group_key)
      select c.job_id, c.type_id, c.attempt, claim_token, claim_worker, claim_lease_expires_at, now(), c.ready_at, c.retention_seconds, c.group_key
      from claimed c
      on conflict (job_id) do nothing
      returning job_running.job_id
    )
    select c.job_id, c.type_id, c.key::text, c.attempt, c.max_attempts, claim_token, c.input,
      (extract(epoch from claim_lease_expires_at) * 1000)::double precision,
      case when c.dependency_count > 0 then (
        select jsonb_agg(jsonb_build_object('type_id', p.type_id, 'key', p.key, 'output', (
                 select o.output from job_outcomes o
                 where o.job_id = p.id and o.final and o.outcome = 'succeeded'
                 order by o.finished_at desc limit 1)) order by p.id)
        from job_dependencies d join jobs p on p.id = d.depends_on_id
        where d.job_id = c.job_id
      ) end
    from claimed c
    -- Only the jobs whose running row was written. Not a join: with hash and merge joins off, a
    -- join of two CTEs is a nested loop over both (65,000 comparisons for a batch of 256). When
    -- every row was written (always, but for rows written around the store), the check is a
    -- constant; otherwise one array of the written ids is read.
    where c.job_id = any (case when (select count(*) from running) = (select count(*) from claimed) then array[c.job_id]
                               else array(select r.job_id from running r) end);
end $$;

-- job_claim_grouped: job_claim_batch for a type with a per-group limit (group_limit running per
-- group key at most). Called by job_claim under the type's advisory lock, so the running counts
-- read here change meanwhile only by completions, which only free room. The candidates: for each
-- distinct group key of the type's ready rows (a loose index scan of job_queue_group_claim_idx,
-- two probes per key: a saturated group's backlog is stepped over, never read through), the
-- group's first jobs in claim order up to its room; then all of them in claim order up to the
-- limit. Jobs without a key (queued before the type had one) are taken when they are among the
-- type's first claim_limit jobs. The rest is job_claim_batch's: delete, running rows, outputs.
create or replace function job_claim_grouped(claim_type integer, claim_limit integer, group_limit integer, claim_token bigint,
                                             claim_worker integer, claim_lease_expires_at timestamptz)
returns table (id bigint, type_id integer, key text, attempts integer, max_attempts integer, attempt_token bigint, input jsonb,
               lease_expires_at double precision, dependencies jsonb)
language plpgsql volatile set search_path from current
set enable_bitmapscan = off
as $$
#variable_conflict use_column
declare
  picked bigint[];
begin
  with recursive group_keys (group_key) as (
    (select q.group_key from job_queue q
     where q.type_id = claim_type and q.pending_dependencies = 0 and q.group_key is not null
     order by q.type_id, q.group_key limit 1)
    union all
    select (select q.group_key from job_queue q
            where q.type_id = claim_type and q.pending_dependencies = 0 and q.group_key > g.group_key
            order by q.type_id, q.group_key limit 1)
    from group_keys g where g.group_key is not null
  ),
  running_groups as (
    select r.group_key, count(*)::integer as running from job_running r
    where r.type_id = claim_type and r.group_key is not null
    group by r.group_key
  ),
  candidates as (
    select c.job_id, c.priority, c.run_at
    from group_keys g
    left join running_groups rg on rg.group_key = g.group_key
    cross join lateral (
      select q.job_id, q.priority, q.run_at from job_queue q
      where q.type_id = claim_type and q.pending_dependencies = 0 and q.group_key = g.group_key and q.run_at <= now()
      order by q.type_id, q.group_key, q.priority desc, q.run_at, q.job_id
      limit greatest(group_limit - coalesce(rg.running, 0), 0)
    ) c
    where g.group_key is not null
    union all
    select h.job_id, h.priority, h.run_at from (
      select q.job_id, q.priority, q.run_at, q.group_key from job_queue q
      where q.type_id = claim_type and q.pending_dependencies = 0 and q.run_at <= now()
      order by q.type_id, q.priority desc, q.run_at, q.job_id
      limit claim_limit
    ) h
    where h.group_key is null
  )
  select array_agg(c.job_id) into picked
  from (select c.job_id from candidates c order by c.priority desc, c.run_at, c.job_id limit claim_limit) c;
  if picked is null then
    return;
  end if;
  return query
    with candidates as (
      select q.ctid as row_address from job_queue q
      where q.job_id = any (picked) and q.pending_dependencies = 0 and q.run_at <= now()
      for update skip locked
    ),
    taken as (
      delete from job_queue q using candidates c where q.ctid = c.row_address
      returning q.job_id, q.type_id, q.attempts + 1 as attempt, q.ready_at, q.group_key
    ),
    claimed as (
      select t.job_id, t.type_id, t.attempt, t.ready_at, t.group_key, j.key, j.input, j.max_attempts, j.retention_seconds, j.dependency_count
      from taken t join jobs j on j.id = t.job_id
    ),
    running as (
      insert into job_running (job_id, type_id, attempt, attempt_token, worker, lease_expires_at, claimed_at, ready_at, retention_seconds, group_key)
      select c.job_id, c.type_id, c.attempt, claim_token, claim_worker, claim_lease_expires_at, now(), c.ready_at, c.retention_seconds, c.group_key
      from claimed c
      on conflict (job_id) do nothing
      returning job_running.job_id
    )
    select c.job_id, c.type_id, c.key::text, c.attempt, c.max_attempts, claim_token, c.input,
      (extract(epoch from claim_lease_expires_at) * 1000)::double precision,
      case when c.dependency_count > 0 then (
        select jsonb_agg(jsonb_build_object('type_id', p.type_id, 'key', p.key, 'output', (
                 select o.output from job_outcomes o
                 where o.job_id = p.id and o.final and o.outcome = 'succeeded'
                 order by o.finished_at desc limit 1)) order by p.id)
        from job_dependencies d join jobs p on p.id = d.depends_on_id
        where d.job_id = c.job_id
      ) end
    from claimed c
    where c.job_id in (select r.job_id from running r);
end $$;

-- The earliest future run-at of the types' ready queue rows: per type, a loose index scan over its
-- distinct priorities (two probes of the claim index per priority), never a scan of the type's
-- future jobs however many there are.
create or replace function job_next_run_at(next_type_ids integer[]) returns timestamptz
language sql stable set search_path from current
set enable_sort = off set enable_bitmapscan = off set enable_hashjoin = off set enable_mergejoin = off
as $$
  with recursive levels (type_id, priority) as (
    select t.type_id, (select q.priority from job_queue q where q.type_id = t.type_id and q.pending_dependencies = 0
                       order by q.type_id, q.priority desc limit 1)
    from unnest(next_type_ids) as t(type_id)
    union all
    select l.type_id, (select q.priority from job_queue q
                       where q.type_id = l.type_id and q.pending_dependencies = 0 and q.priority < l.priority
                       order by q.type_id, q.priority desc limit 1)
    from levels l where l.priority is not null
  )
  select min((select q.run_at from job_queue q
              where q.type_id = l.type_id and q.pending_dependencies = 0 and q.priority = l.priority and q.run_at > now()
              order by q.type_id, q.priority desc, q.run_at limit 1))
  from levels l where l.priority is not null
$$;

-- When a type's full rate window reopens: once enough of its claims have aged out of it (the
-- oldest first) to leave room for one start. Read under the type's lock, after the claim's own
-- claims were appended to the window.
create or replace function job_rate_reopens_at(rate_type_id integer) returns timestamptz
language sql stable set search_path from current as $$
  select w.claimed_at + w.interval_ms * interval '1 millisecond'
  from (select w.claimed_at, c.rate_interval_ms as interval_ms, c.rate_limit,
               sum(w.claims) over (order by w.claimed_at rows unbounded preceding) as aged, sum(w.claims) over () as total
        from job_type_controls c, unnest(c.rate_window_at, c.rate_window_count) as w(claimed_at, claims)
        where c.type_id = rate_type_id and c.rate_limit is not null
          and w.claimed_at > now() - c.rate_interval_ms * interval '1 millisecond') w
  where w.total - w.aged <= w.rate_limit - 1
  order by w.claimed_at limit 1
$$;

create or replace function job_claim(claim_type_ids integer[], claim_limit integer, claim_worker_id text, claim_lease_seconds double precision)
returns table (id bigint, type_id integer, key text, attempts integer, max_attempts integer, attempt_token bigint, input jsonb,
               lease_expires_at double precision, dependencies jsonb)
language plpgsql volatile set search_path from current as $$
#variable_conflict use_column
declare
  claim_token bigint := nextval('attempt_token_seq');
  claim_lease_expires_at timestamptz := now() + make_interval(secs => claim_lease_seconds);
  claim_worker integer := worker_number(claim_worker_id);
  claimed integer := 0;
  taken integer;
  -- The types to claim, in a rotated order, and each one's room under its limits (null: none).
  types integer[];
  rotation integer := floor(random() * greatest(cardinality(claim_type_ids), 1))::integer;
  rooms integer[];
  rate_limited boolean[];
  group_limits integer[];
  round_types integer[];
  next_types integer[];
  share integer;
  type_index integer;
  claim_type integer;
  room integer;
  control record;
  next_run_at timestamptz;
  -- When the earliest full rate window of the types reopens (a start is allowed again).
  rate_reopens_at timestamptz;
begin
  perform set_config('synchronous_commit', 'off', true);
  if cardinality(claim_type_ids) = 1 and not exists (select 1 from job_type_controls c where c.type_id = claim_type_ids[1]) then
    return query select * from job_claim_batch(claim_type_ids, claim_limit, claim_token, claim_worker, claim_lease_expires_at);
    get diagnostics claimed = row_count;
  else
    types := array(
      select u.t from unnest(claim_type_ids) with ordinality as u(t, i)
      where not exists (select 1 from job_type_controls c where c.type_id = u.t and c.paused)
      order by (u.i + rotation) % cardinality(claim_type_ids), u.i);
    rooms := array_fill(null::integer, array[cardinality(types)]);
    rate_limited := array_fill(false, array[cardinality(types)]);
    group_limits := array_fill(null::integer, array[cardinality(types)]);
    -- The limited types' rooms, under their locks (taken in type order: no deadlock between claims).
    for control in
      select c.type_id, c.concurrency, c.rate_limit, c.rate_interval_ms, c.group_concurrency from job_type_controls c
      where c.type_id = any (types) and (c.concurrency is not null or c.rate_limit is not null or c.group_concurrency is not null)
      order by c.type_id
    loop
      perform pg_advisory_xact_lock(hashtext('jobby.job_type_concurrency'), control.type_id);
      type_index := array_position(types, control.type_id);
      room := claim_limit;
      if control.concurrency is not null then
        select least(room, control.concurrency - count(*)) into room from job_running r where r.type_id = control.type_id;
      end if;
      if control.rate_limit is not null then
        -- Read after the lock: the window as the previous claim of the type left it.
        select least(room, control.rate_limit - coalesce(sum(w.claims), 0)) into room
        from job_type_controls c, unnest(c.rate_window_at, c.rate_window_count) as w(claimed_at, claims)
        where c.type_id = control.type_id and w.claimed_at > now() - control.rate_interval_ms * interval '1 millisecond';
        rate_limited[type_index] := true;
      end if;
      group_limits[type_index] := control.group_concurrency;
      rooms[type_index] := greatest(room, 0);
    end loop;
    round_types := types;
    while claimed < claim_limit and cardinality(round_types) > 0 loop
      share := ceil((claim_limit - claimed)::numeric / cardinality(round_types));
      next_types := '{}';
      foreach claim_type in array round_types loop
        exit when claimed >= claim_limit;
        type_index := array_position(types, claim_type);
        taken := least(share, claim_limit - claimed, coalesce(rooms[type_index], claim_limit));
        continue when taken <= 0;
        if group_limits[type_index] is null then
          return query select * from job_claim_batch(array[claim_type], taken, claim_token, claim_worker, claim_lease_expires_at);
        else
          return query select * from job_claim_grouped(claim_type, taken, group_limits[type_index], claim_token, claim_worker, claim_lease_expires_at);
        end if;
        get diagnostics taken = row_count;
        claimed := claimed + taken;
        if rooms[type_index] is not null then rooms[type_index] := rooms[type_index] - taken; end if;
        if rate_limited[type_index] and taken > 0 then
          update job_type_controls c
          set rate_window_at = array(select w.claimed_at from unnest(c.rate_window_at) as w(claimed_at)
                                     where w.claimed_at > now() - c.rate_interval_ms * interval '1 millisecond') || now(),
              rate_window_count = array(select w.claims from unnest(c.rate_window_at, c.rate_window_count) as w(claimed_at, claims)
                                        where w.claimed_at > now() - c.rate_interval_ms * interval '1 millisecond') || taken
          where c.type_id = claim_type;
        end if;
        if taken >= share then next_types := next_types || claim_type; end if;
      end loop;
      round_types := next_types;
    end loop;
    -- The types whose rate window this claim found or left full: when the first reopens.
    if claimed < claim_limit then
      for type_index in 1 .. coalesce(cardinality(types), 0) loop
        if rate_limited[type_index] and rooms[type_index] <= 0 then
          rate_reopens_at := least(rate_reopens_at, job_rate_reopens_at(types[type_index]));
        end if;
      end loop;
    end if;
  end if;
  if claimed < claim_limit then
    next_run_at := job_next_run_at(array(
      select t from unnest(claim_type_ids) as t
      where not exists (select 1 from job_type_controls c where c.type_id = t and c.paused)));
    next_run_at := least(next_run_at, rate_reopens_at);
    if next_run_at is not null then
      return query select null::bigint, null::integer, null::text, null::integer, null::integer, null::bigint, null::jsonb,
        (extract(epoch from next_run_at - clock_timestamp()) * 1000)::double precision, null::jsonb;
    end if;
  end if;
end $$;
