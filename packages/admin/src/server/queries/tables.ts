import { assertSchemaName, type JobbyDatabase } from '@jobby/core/store';

/**
 * The admin server's own SQL (aggregates, keyset lists with sorting, graph walks) runs through the
 * database's pg pool with numbered parameters. Table names are qualified with the jobby schema, as
 * the core store's are (`createTables`), so the SQL works whatever the connection's search_path.
 */
export interface AdminTables {
  readonly jobs: string;
  readonly jobKeys: string;
  readonly jobTypes: string;
  readonly jobDependencies: string;
  readonly jobAttempts: string;
  readonly workers: string;
  readonly jobState: string;
}

export function createAdminTables(schema: string): AdminTables {
  const qualified = `"${assertSchemaName(schema)}"`;
  return {
    jobs: `${qualified}.jobs`,
    jobKeys: `${qualified}.job_keys`,
    jobTypes: `${qualified}.job_types`,
    jobDependencies: `${qualified}.job_dependencies`,
    jobAttempts: `${qualified}.job_attempts`,
    workers: `${qualified}.workers`,
    jobState: `${qualified}.job_state`,
  };
}

type Pool = JobbyDatabase['pool'];

/** Runs one statement; rows typed by the caller. */
export async function query<Row>(pool: Pool, text: string, values: readonly unknown[] = []): Promise<Row[]> {
  const result = await pool.query(text, values as unknown[]);
  return result.rows as Row[];
}

/** Collects positional parameters while a statement is assembled: `params.add(value)` → `$n`. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
