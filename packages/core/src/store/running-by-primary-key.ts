import { sql, type RawBuilder } from 'kysely';

/**
 * "The held job `j` is still running", for statements that reach a batch of held jobs: they are
 * found through the primary key (`j.id = any`), never through an index on state. `state::text` is
 * a condition no index matches. Compared as an enum, the planner (on a table without fresh
 * statistics) read jobs_lease_idx instead, whose entries for jobs that finished since the last
 * vacuum are never marked dead by a bitmap scan: extending the leases of 500 jobs read 20,000
 * entries after a 20k-job run. The same fence is in job_complete_many (migrations 0003 and 0006).
 */
export function runningByPrimaryKey(idsLiteral: string): RawBuilder<unknown> {
  return sql`j.state::text = 'running' and j.id = any (${idsLiteral}::bigint[])`;
}
