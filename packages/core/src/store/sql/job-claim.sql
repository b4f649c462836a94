-- job_claim: takes up to claim_limit ready jobs of the given types for one worker.
--
-- One statement: pick queue rows in claim order (priority, run-at, id) from job_queue_claim_idx
-- with FOR UPDATE SKIP LOCKED (concurrent claimers get disjoint rows), delete them, and insert
-- their running rows with one fresh attempt token for the batch (it changes on every claim of a
-- job, which is what fences a completion). The record (jobs) is only read: input, key, limits,
-- and for jobs with dependencies their outputs (each dependency's latest final success).
--
-- Rows are addressed by ctid between the pick and the delete: no second index probe.
-- A function: planned once per session, under planner settings that keep the plan the ordered
-- walk of the claim index whatever the statistics say (a fresh, unanalyzed queue table otherwise
-- gets sorts and bitmap scans). It commits without waiting for its WAL flush
-- (synchronous_commit off): a claim lost in a crash leaves the job in the queue, which is what a
-- lost claim means anyway; every later write of the job (completion) flushes, and a flush waits
-- for all earlier WAL, the claim's included.
create or replace function job_claim(claim_type_ids integer[], claim_limit integer, claim_worker_id text, claim_lease_seconds double precision)
returns table (id bigint, type_id integer, key text, attempts integer, max_attempts integer, attempt_token bigint, input jsonb,
               lease_expires_at double precision, dependencies jsonb)
language plpgsql volatile set search_path from current
set enable_sort = off set enable_bitmapscan = off set enable_hashjoin = off set enable_mergejoin = off
as $$
#variable_conflict use_column
declare
  claim_token bigint := nextval('attempt_token_seq');
  claim_lease_expires_at timestamptz := now() + make_interval(secs => claim_lease_seconds);
  claim_worker integer := worker_number(claim_worker_id);
begin
  perform set_config('synchronous_commit', 'off', true);
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
    running as (
      insert into job_running (job_id, type_id, attempt, attempt_token, worker, lease_expires_at, claimed_at, ready_at, retention_seconds)
      select c.job_id, c.type_id, c.attempt, claim_token, claim_worker, claim_lease_expires_at, now(), c.ready_at, c.retention_seconds
      from claimed c
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
    from claimed c;
end $$;
