-- Flow control per job type (issue 19), changeable at run time: pause, and a cluster-wide limit on
-- running jobs. One row per type that has a control; types without a row pay nothing but one
-- probe of this (tiny) table per claim (job_claim, src/store/sql/job-claim.sql).
create table job_type_controls (
  type_id integer primary key,
  -- Paused: no worker claims the type's jobs; they wait, nothing is lost.
  paused boolean not null default false,
  -- At most this many of the type's jobs run at once across every worker (null: no limit).
  concurrency integer check (concurrency >= 1),
  updated_at timestamptz not null default now()
);
