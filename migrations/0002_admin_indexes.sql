-- Indexes for the admin UI and API (packages/admin), sized for a jobs table of millions of rows.
-- Deliberately two: every index on jobs costs a write on the hot path, because state changes are
-- not HOT updates (state appears in the claim and lease index predicates), so each index gets an
-- entry at enqueue, claim and completion. Measured numbers are in packages/admin/PERFORMANCE.md.
-- Note: created inside the migration's transaction (not CONCURRENTLY), so on a large existing
-- table writes wait while they are built.

-- Lists filtered by state and/or type, newest first: the admin API turns a filter into one ordered
-- range scan per (state, type) pair, merged by Postgres (Merge Append), so a page costs the page,
-- not the table. Also serves counts per state and type (index-only), per-type statistics over the
-- latest finished jobs, and bulk selections.
create index jobs_admin_state_type_idx on jobs (state, type_id, id);

-- Throughput and failures over time (index-only: state and type_id are included), and the
-- "finished between" time filter and sort of the job list. Partial: a job gets
-- one entry, when it finishes (claims and enqueues never touch this index).
create index jobs_admin_finished_idx on jobs (finished_at) include (state, type_id) where finished_at is not null;
