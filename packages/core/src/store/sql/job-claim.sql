-- job_claim: takes up to claim_limit ready jobs of the given types for one worker.
--
-- One statement: pick queue rows in claim order (priority, run-at, id) from job_queue_claim_idx
-- with FOR UPDATE SKIP LOCKED (concurrent claimers get disjoint rows), delete them, and insert
-- their running rows with one fresh attempt token for the batch (it changes on every claim of a
-- job, which is what fences a completion). The record (jobs) is only read: input, key, limits,
-- and for jobs with dependencies their outputs (each dependency's latest final success).
--
-- Rows are addressed by ctid between the pick and the delete: no second index probe.
-- Flow control (job_type_controls, issue 19): a paused type is left out; a type with a
-- cluster-wide concurrency limit is claimed on its own, under a transaction-level advisory lock on
-- the type, up to its limit minus its running rows (job_running). The lock serializes the claims
-- of that type only, and goes with the claim's commit; a killed worker's running rows count until
-- the lease sweep hands them back, so a limit is never stuck longer than a lease. Types without a
-- control row take the single statement below, after one probe of the (tiny) controls table.
--
-- A function: planned once per session, under planner settings that keep the plan the ordered
-- walk of the claim index whatever the statistics say (a fresh, unanalyzed queue table otherwise
-- gets sorts and bitmap scans). It commits without waiting for its WAL flush
-- (synchronous_commit off): a claim lost in a crash leaves the job in the queue, which is what a
-- lost claim means anyway; every later write of the job (completion) flushes, and a flush waits
-- for all earlier WAL, the claim's included.
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
      where q.pending_dependencies = 0 and q.run_at <= now() and q.type_id = any (claim_type_ids)
      order by q.priority desc, q.run_at, q.job_id
      limit claim_limit
      for update skip locked
    ),
    taken as (
      delete from job_queue q using candidates c where q.ctid = c.row_address
      returning q.job_id, q.type_id, q.attempts + 1 as attempt, q.ready_at
    ),
    claimed as (
      select t.job_id, t.type_id, t.attempt, t.ready_at, j.key, j.input, j.max_attempts, j.retention_seconds, j.dependency_count
      from taken t join jobs j on j.id = t.job_id
    ),
    -- A job that is somehow also running already (rows written around the store) keeps that
    -- attempt: its stray queue row is gone, and it is not handed out twice.
    running as (
      insert into job_running (job_id, type_id, attempt, attempt_token, worker, lease_expires_at, claimed_at, ready_at, retention_seconds)
      select c.job_id, c.type_id, c.attempt, claim_token, claim_worker, claim_lease_expires_at, now(), c.ready_at, c.retention_seconds
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

create or replace function job_claim(claim_type_ids integer[], claim_limit integer, claim_worker_id text, claim_lease_seconds double precision)
returns table (id bigint, type_id integer, key text, attempts integer, max_attempts integer, attempt_token bigint, input jsonb,
               lease_expires_at double precision, dependencies jsonb)
language plpgsql volatile set search_path from current as $$
#variable_conflict use_column
declare
  claim_token bigint := nextval('attempt_token_seq');
  claim_lease_expires_at timestamptz := now() + make_interval(secs => claim_lease_seconds);
  claim_worker integer := worker_number(claim_worker_id);
  free_type_ids integer[];
  limited record;
  room integer;
  claimed integer := 0;
begin
  perform set_config('synchronous_commit', 'off', true);
  if not exists (select 1 from job_type_controls c where c.type_id = any (claim_type_ids)) then
    return query select * from job_claim_batch(claim_type_ids, claim_limit, claim_token, claim_worker, claim_lease_expires_at);
    return;
  end if;
  free_type_ids := array(
    select t from unnest(claim_type_ids) as t
    where not exists (select 1 from job_type_controls c where c.type_id = t and (c.paused or c.concurrency is not null)));
  if cardinality(free_type_ids) > 0 then
    return query select * from job_claim_batch(free_type_ids, claim_limit, claim_token, claim_worker, claim_lease_expires_at);
    get diagnostics claimed = row_count;
  end if;
  for limited in
    select c.type_id, c.concurrency from job_type_controls c
    where c.type_id = any (claim_type_ids) and not c.paused and c.concurrency is not null
    order by c.type_id
  loop
    exit when claimed >= claim_limit;
    perform pg_advisory_xact_lock(hashtext('jobby.job_type_concurrency'), limited.type_id);
    select limited.concurrency - count(*) into room from job_running r where r.type_id = limited.type_id;
    continue when room <= 0;
    return query select * from job_claim_batch(array[limited.type_id], least(room, claim_limit - claimed), claim_token, claim_worker,
                                               claim_lease_expires_at);
    get diagnostics room = row_count;
    claimed := claimed + room;
  end loop;
end $$;
