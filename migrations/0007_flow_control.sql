-- Flow control, part two (issue 19): rate limits, and fair claims between job types.
--
-- Rate limit: at most rate_limit claims (starts) of a type in any window of rate_interval_ms,
-- across every worker. The claim keeps a sliding window of its recent claims in the control row
-- itself: one (time, count) pair per claim batch that took jobs of the type within the last
-- interval (so at most rate_limit pairs). A window rather than a token bucket: a bucket of N
-- lets 2N through in one interval (a full bucket, then its refill); the window never does.
alter table job_type_controls
  add column rate_limit integer check (rate_limit >= 1),
  add column rate_interval_ms integer check (rate_interval_ms >= 1),
  add column rate_window_at timestamptz[] not null default '{}',
  add column rate_window_count integer[] not null default '{}',
  add constraint job_type_controls_rate check ((rate_limit is null) = (rate_interval_ms is null));

-- The claim index, keyed by type first. A claim walks it once per type (job_claim in
-- src/store/sql/job-claim.sql): each type's ready jobs are found directly, however long another
-- type's backlog is, and a worker's room is shared between its types instead of going to the
-- type whose jobs are oldest (a 5,000-job retry storm of one type delayed the others by 1.5 s).
-- For a claim of one type the walk is the one of the index it replaces.
create index job_queue_type_claim_idx on job_queue (type_id, priority desc, run_at, job_id) where pending_dependencies = 0;
drop index job_queue_claim_idx;

-- Its new arguments (rate limits) replace the old signature.
drop function if exists job_type_control_set(integer, boolean, integer, boolean, text);
