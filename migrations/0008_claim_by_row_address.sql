-- The claim updates the rows it locked through their row address (ctid), not by joining on id.
--
-- Why: 0003's claim joined its locked candidates back to jobs by id, and nothing pinned that
-- join. Once a table of some thousands to tens of thousands of rows has statistics (autovacuum
-- analyzes it; a young or small deployment), the planner chose a hash join over a sequential scan
-- of the WHOLE table for every claim: EXPLAIN ANALYZE of a claim of 250 jobs among 20,000 showed
-- `Seq Scan on jobs (rows=20000)` under the hash, 7.3 ms against 2.1 ms by address; pgbench of the
-- function, 30 claims of 250, alternated: 3.81–3.86 ms by id, 2.00–2.58 ms by address
-- (tools/bench/README.md, fix 21). Without statistics (the benchmark's fresh tables) and on large
-- tables (100,000 rows: ~2 ms either way) the planner probed the primary key per row instead.
--
-- Safe: the candidates are locked FOR UPDATE by this same statement, so nothing can change or move
-- them before the UPDATE reaches them; the ctid a locking scan returns is the version it locked
-- (a version committed after the statement's snapshot is not visible to the UPDATE, and that job
-- is simply not claimed this time, as before). A Tid Scan per row is the only plan: no index
-- descent, no hash; hash and merge joins are off inside the function so that no statistics can
-- bring the whole-table scan back.
--
-- Otherwise the function is 0003's (same signature and result).

create or replace function job_claim(
  claim_type_ids integer[],
  claim_limit integer,
  claim_worker_id text,
  claim_lease_seconds double precision
)
returns table (
  id bigint,
  type_id integer,
  key text,
  attempts integer,
  max_attempts integer,
  attempt_token bigint,
  input jsonb,
  -- epoch milliseconds: cheaper for the client to read than a timestamp, 500 times per batch
  lease_expires_at double precision,
  dependencies jsonb
)
language plpgsql volatile
set search_path from current
-- As in 0003: the ordered walk of jobs_claim_idx that stops after claim_limit rows, whatever the
-- statistics say; and now the update by address.
set enable_sort = off
set enable_bitmapscan = off
set enable_hashjoin = off
set enable_mergejoin = off
as $$
#variable_conflict use_column
declare
  -- One attempt token for the whole batch (see 0003).
  claim_token bigint := nextval('attempt_token_seq');
  claim_lease_expires_at timestamptz := now() + make_interval(secs => claim_lease_seconds);
begin
  -- The claim does not wait for its WAL flush (see 0003 for why that is safe).
  perform set_config('synchronous_commit', 'off', true);
  return query
    with candidates as (
      select j.ctid as row_address from jobs j
      where j.state = 'queued' and j.run_at <= now() and j.type_id = any (claim_type_ids)
      order by j.priority desc, j.run_at, j.id
      limit claim_limit
      for update skip locked
    ),
    claimed as (
      update jobs j
      set state = 'running',
          attempts = j.attempts + 1,
          attempt_token = claim_token,
          worker_id = claim_worker_id,
          lease_expires_at = claim_lease_expires_at,
          started_at = now()
      from candidates c
      where j.ctid = c.row_address
      returning j.id, j.type_id, j.key, j.attempts, j.max_attempts, j.attempt_token, j.input, j.lease_expires_at, j.dependency_count
    )
    select c.id, c.type_id, c.key, c.attempts, c.max_attempts, c.attempt_token, c.input,
      (extract(epoch from c.lease_expires_at) * 1000)::double precision,
      case when c.dependency_count > 0 then (
        select jsonb_agg(jsonb_build_object('type_id', p.type_id, 'key', p.key, 'output', p.output) order by p.id)
        from job_dependencies d join jobs p on p.id = d.depends_on_id
        where d.job_id = c.id
      ) end
    from claimed c;
end
$$;
