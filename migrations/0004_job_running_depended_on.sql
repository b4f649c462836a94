-- An ephemeral job (retention 0) keeps its output when something depends on it. The completion
-- learns that from job_dependencies, read with its statement's snapshot; a dependent's enqueue
-- that commits while the completion waits for the running row is not in that snapshot. So the
-- enqueue also marks the running row it depends on (job-enqueue.ts, lockLiveRows), and the
-- completion reads the mark from the row version it deletes, which is the latest one after the
-- wait (job_complete_many in src/store/sql/job-complete.sql). A constant default: no rewrite.
alter table job_running add column depended_on boolean not null default false;
