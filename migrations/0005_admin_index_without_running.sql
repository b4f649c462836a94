-- The admin's (state, type_id, id) index no longer holds running jobs; they are found through
-- jobs_lease_idx, which holds exactly them.
--
-- Why: every claim gave this index an entry for the job's running version, and every completion
-- made that entry dead a moment later. Inserting into a leaf full of such entries makes Postgres
-- visit the heap to find which are dead (bottom-up deletion) before it can add the new one: the
-- claim's most expensive index write. Measured on the bench machine (tools/bench/README.md): a
-- claim of 263 jobs took 2.65 instead of 3.1 ms without it.
--
-- Running jobs are few — at most each worker's concurrency plus prefetch — so the admin reads them
-- through jobs_lease_idx (partial on state = 'running') and sorts them: the admin's counts and
-- lists ask for state 'running' on its own for that reason (packages/admin/src/server/queries).
--
-- Note: created inside the migration's transaction (not CONCURRENTLY), so on a large existing table
-- writes wait while it is built (~2 s per million jobs on the bench machine).

drop index jobs_admin_state_type_idx;
create index jobs_admin_state_type_idx on jobs (state, type_id, id) where state <> 'running';
