-- The admin's audit trail (issue 20): who changed what through an operator's console, and when —
-- a retry, a cancellation, a run-now or re-run of a job, a pause or a limit of a job type. Append
-- only; one row per job (a bulk action writes one per job it changed) or per type. Read newest
-- first on a job's page (admin_actions_job_idx) and a type's (admin_actions_type_idx); written by
-- admin_action_record (src/store/sql/admin-actions.sql).
create table admin_actions (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  -- Who: the credential's role ('operator', or 'open' on the embedded quick start), with the name
  -- the person gave, if any.
  actor text not null,
  action text not null,
  job_id bigint,
  type_id integer,
  -- What else the action said: the jobs it also changed, the filter of a bulk action, the limits set.
  details jsonb
);
create index admin_actions_job_idx on admin_actions (job_id, id) where job_id is not null;
create index admin_actions_type_idx on admin_actions (type_id, id) where type_id is not null;
