import { sql } from 'kysely';
import type { JsonValue } from '../contract/json.js';
import type { StoreContext } from './store-context.js';
import { integerLiteral, numberLiteral, qualified, textLiteral } from './sql-literal.js';

/**
 * Claims up to `limit` ready jobs of the given types in ONE statement: pick with
 * `FOR UPDATE SKIP LOCKED` from the partial index of queued jobs, then count the attempt, take the
 * lease and draw a fresh attempt token in the same UPDATE. Concurrent claimers get disjoint rows.
 * Dependency outputs are returned alongside, looked up only for jobs that have dependencies.
 *
 * The plan must be the ordered walk of `jobs_claim_idx` that stops after `limit` rows (≈1 ms for a
 * batch of 500, however many jobs are queued). Without statistics — a fresh table, or statistics
 * taken while no job was queued — the planner estimates a handful of queued rows and prefers to
 * read ALL of them through another index (`jobs_admin_state_type_idx`, or a bitmap scan of
 * `jobs_claim_idx` itself) and sort them: 8–27 ms per claim with 20k jobs queued, growing with the
 * backlog. ANALYZE at start cannot fix that (the table may be empty then, or the backlog may arrive
 * later), and no index change rules out "bitmap scan + sort". So the claim runs with
 * `enable_sort` and `enable_bitmapscan` off, set LOCAL to its own implicit transaction (one
 * simple-protocol query, one round trip): the ordered walk is then the only cheap plan, whatever
 * the statistics say. Values are inlined as checked literals (sql-literal.ts).
 *
 * The claim also commits with `synchronous_commit = off`: it does not wait for its WAL to reach the
 * disk (an fsync: ~2 ms of a 4–5 ms pickup here). Safe for at-least-once: WAL is written in order,
 * so the claim is durable before anything that follows it — the job's completion (committed
 * synchronously) flushes it. A crash can only forget claims of the last moments (wal_writer_delay):
 * those jobs are queued again and run again, as after a lost lease.
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

interface ClaimRow {
  id: string;
  type_id: number;
  key: string;
  attempts: number;
  max_attempts: number;
  attempt_token: string;
  input: unknown;
  lease_expires_at: number;
  dependencies: { type_id: number; key: string; output: JsonValue | null }[] | null;
}

export async function jobClaim(context: StoreContext, params: ClaimJobsParams): Promise<ClaimedJob[]> {
  if (params.limit <= 0 || params.typeIds.length === 0) return [];
  const statement = claimStatement(context, params);
  let rows: ClaimRow[];
  if (context.simpleQuery) {
    // One round trip; the planner settings apply to this implicit transaction only (see the header).
    const results = await context.simpleQuery(
      `set local enable_sort = off; set local enable_bitmapscan = off; set local synchronous_commit = off; ${statement}`,
    );
    rows = results[results.length - 1]!.rows as ClaimRow[];
  } else {
    rows = (await sql.raw<ClaimRow>(statement).execute(context.db)).rows;
  }
  return rows.map((row) => ({
    id: String(row.id),
    typeId: row.type_id,
    key: row.key,
    attempt: row.attempts,
    maxAttempts: row.max_attempts,
    attemptToken: String(row.attempt_token),
    input: row.input,
    leaseExpiresAt: new Date(Number(row.lease_expires_at)),
    dependencies: (row.dependencies ?? []).map((dependency) => ({ typeId: dependency.type_id, key: dependency.key, output: dependency.output })),
  }));
}

/** The claim as one statement with its values inlined as checked literals. */
function claimStatement(context: StoreContext, params: ClaimJobsParams): string {
  const { schema } = context.tables;
  const jobs = qualified(schema, 'jobs');
  const typeIds = params.typeIds.map(integerLiteral).join(',');
  return `
    with candidates as (
      select id from ${jobs}
      where state = 'queued' and run_at <= now() and type_id in (${typeIds})
      order by priority desc, run_at, id
      limit ${integerLiteral(params.limit)}
      for update skip locked
    ),
    claimed as (
      update ${jobs} j
      set state = 'running',
          attempts = j.attempts + 1,
          attempt_token = nextval(${textLiteral(context.tables.attemptTokenSequence)}::regclass),
          worker_id = ${textLiteral(params.workerId)},
          lease_expires_at = now() + make_interval(secs => ${numberLiteral(params.leaseSeconds)}),
          started_at = now()
      from candidates c
      where j.id = c.id
      returning j.id, j.type_id, j.key, j.attempts, j.max_attempts, j.attempt_token, j.input, j.lease_expires_at, j.dependency_count
    )
    select c.id, c.type_id, c.key, c.attempts, c.max_attempts, c.attempt_token, c.input,
      -- epoch milliseconds: cheaper to read than a timestamp, 500 times per batch
      (extract(epoch from c.lease_expires_at) * 1000)::float8 as lease_expires_at,
      case when c.dependency_count > 0 then (
        select jsonb_agg(jsonb_build_object('type_id', p.type_id, 'key', p.key, 'output', p.output) order by p.id)
        from ${qualified(schema, 'job_dependencies')} d join ${jobs} p on p.id = d.depends_on_id
        where d.job_id = c.id
      ) end as dependencies
    from claimed c`;
}
