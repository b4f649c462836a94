import { sql } from 'kysely';
import type { JsonValue } from '../contract/json.js';
import type { StoreContext } from './store-context.js';

/**
 * Claims up to `limit` ready jobs of the given types in ONE statement: pick with
 * `FOR UPDATE SKIP LOCKED` from the partial index of queued jobs, then count the attempt, take the
 * lease and draw a fresh attempt token in the same UPDATE. Concurrent claimers get disjoint rows.
 * Dependency outputs are returned alongside, looked up only for jobs that have dependencies.
 */

export interface ClaimJobsParams {
  workerId: string;
  typeIds: readonly number[];
  limit: number;
  leaseSeconds: number;
}

export interface ClaimedDependency {
  typeId: number;
  key: string;
  output: JsonValue | null;
}

/** A claimed job as the database returned it; the runtime decodes and validates its input. */
export interface ClaimedJob {
  id: string;
  typeId: number;
  key: string;
  attempt: number;
  maxAttempts: number;
  attemptToken: string;
  /** Undecoded: a malformed row must fail alone (see the runtime's decoding). */
  input: unknown;
  leaseExpiresAt: Date;
  dependencies: ClaimedDependency[];
}

export async function jobClaim(context: StoreContext, params: ClaimJobsParams): Promise<ClaimedJob[]> {
  if (params.limit <= 0 || params.typeIds.length === 0) return [];
  const { tables } = context;
  const { rows } = await sql<{
    id: string;
    type_id: number;
    key: string;
    attempts: number;
    max_attempts: number;
    attempt_token: string;
    input: unknown;
    lease_expires_at: Date;
    dependencies: { type_id: number; key: string; output: JsonValue | null }[] | null;
  }>`
    with candidates as (
      select id from ${tables.jobs}
      where state = 'queued' and run_at <= now() and type_id = any(${sql.val(params.typeIds)}::int[])
      order by priority desc, run_at, id
      limit ${params.limit}
      for update skip locked
    ),
    claimed as (
      update ${tables.jobs} j
      set state = 'running',
          attempts = j.attempts + 1,
          attempt_token = nextval(${tables.attemptTokenSequence}::regclass),
          worker_id = ${params.workerId},
          lease_expires_at = now() + make_interval(secs => ${params.leaseSeconds}),
          started_at = now()
      from candidates c
      where j.id = c.id
      returning j.id, j.type_id, j.key, j.attempts, j.max_attempts, j.attempt_token, j.input, j.lease_expires_at, j.dependency_count
    )
    select c.id, c.type_id, c.key, c.attempts, c.max_attempts, c.attempt_token, c.input, c.lease_expires_at,
      case when c.dependency_count > 0 then (
        select jsonb_agg(jsonb_build_object('type_id', p.type_id, 'key', p.key, 'output', p.output) order by p.id)
        from ${tables.jobDependencies} d join ${tables.jobs} p on p.id = d.depends_on_id
        where d.job_id = c.id
      ) end as dependencies
    from claimed c`.execute(context.db);
  return rows.map((row) => ({
    id: String(row.id),
    typeId: row.type_id,
    key: row.key,
    attempt: row.attempts,
    maxAttempts: row.max_attempts,
    attemptToken: String(row.attempt_token),
    input: row.input,
    leaseExpiresAt: row.lease_expires_at,
    dependencies: (row.dependencies ?? []).map((dependency) => ({ typeId: dependency.type_id, key: dependency.key, output: dependency.output })),
  }));
}
