-- OpenTelemetry (issue 21): the submitter's trace context, as a W3C traceparent
-- ('00-<trace id>-<span id>-<flags>'), kept with the record so that every attempt's consumer span
-- continues the submitter's trace. Null when the application records no traces (no SDK): the
-- column then costs nothing but its null bit. Read by the worker per claimed batch only when a
-- tracer is installed (src/runtime/tracing.ts), never by the claim itself.
alter table jobs add column trace_parent text;

-- The enqueue functions take the trace parents as one more array (src/store/sql/job-enqueue.sql):
-- the old signatures go, so that no caller reaches a version that drops them.
drop function if exists job_enqueue_many(integer[], text[], jsonb[], integer[], integer[], integer[], timestamptz[], integer[], integer, text);
drop function if exists job_enqueue_new(integer[], text[], jsonb[], integer[], integer[], integer[], timestamptz[], integer[], integer, text);
