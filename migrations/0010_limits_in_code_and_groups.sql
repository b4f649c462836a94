-- Flow control, part three (issue 19): limits declared in code, and per-key groups.
--
-- Limits declared in code (`JobRegistry.limit` in a module's jobs()) are written by every worker at
-- start into the declared_* columns. A value set at run time (jobby types limit, the client, the
-- admin API) overrides the declared one until it is cleared: the *_overridden flags say which
-- value is in force. The columns the claim reads (concurrency, rate_limit, rate_interval_ms,
-- group_concurrency) always hold the value in force, computed when either side changes
-- (src/store/sql/job-type-controls.sql), so the claim never resolves precedence itself.
alter table job_type_controls
  add column group_concurrency integer check (group_concurrency >= 1),
  add column declared_concurrency integer check (declared_concurrency >= 1),
  add column declared_rate_limit integer check (declared_rate_limit >= 1),
  add column declared_rate_interval_ms integer check (declared_rate_interval_ms >= 1),
  add column declared_group_concurrency integer check (declared_group_concurrency >= 1),
  add column concurrency_overridden boolean not null default false,
  add column rate_overridden boolean not null default false,
  add column group_concurrency_overridden boolean not null default false,
  add constraint job_type_controls_declared_rate check ((declared_rate_limit is null) = (declared_rate_interval_ms is null));

-- Per-key groups: the key the submitter computed from the input (the job type's groupKey), kept
-- with the record (a retry or a re-run queues the job again with it) and copied to the hot rows
-- the claim reads. Null for every job of a type without a group key: those rows cost a null bit,
-- and no index entry (both indexes below are partial).
alter table jobs add column group_key text collate "C" check (length(group_key) between 1 and 512);
alter table job_queue add column group_key text collate "C";
alter table job_running add column group_key text collate "C";

-- The claim of a grouped type walks the distinct group keys of its ready jobs (a loose index scan:
-- two probes per key) and takes each group's first jobs in claim order, up to the group's room,
-- so a saturated group's backlog is stepped over, never read through.
create index job_queue_group_claim_idx on job_queue (type_id, group_key, priority desc, run_at, job_id)
  where pending_dependencies = 0 and group_key is not null;
-- Running jobs per group (the group's room). Partial: ungrouped running rows have no entry, and
-- lease extensions, which change no indexed column, stay HOT.
create index job_running_group_idx on job_running (type_id, group_key) where group_key is not null;

-- New arguments (group keys, group limits, declared limits) replace the old signatures.
drop function if exists job_enqueue_many(integer[], text[], jsonb[], integer[], integer[], integer[], timestamptz[], integer[], text[], integer, text);
drop function if exists job_enqueue_new(integer[], text[], jsonb[], integer[], integer[], integer[], timestamptz[], integer[], text[], integer, text);
drop function if exists job_type_control_set(integer, boolean, integer, boolean, integer, integer, boolean, text);
