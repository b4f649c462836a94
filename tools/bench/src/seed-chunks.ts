import pg from 'pg';

/**
 * Runs a set-based fill in chunks of ids (`first … last`, 1-based), each chunk one statement in its
 * own transaction, on `parallel` connections at once: the history of `process-history` is millions
 * of rows, and one INSERT … SELECT of all of them would hold every row of an AFTER STATEMENT
 * trigger's transition table at once (jobby's job-type check) and use one core of two.
 *
 * Each connection gets `work_mem` large enough for a chunk's transition table to stay in memory.
 */
export async function seedInChunks(
  connectionString: string,
  total: number,
  fill: (client: pg.Client, first: number, last: number) => Promise<void>,
  options: { chunk?: number; parallel?: number } = {},
): Promise<void> {
  const chunk = options.chunk ?? 100_000;
  const parallel = options.parallel ?? 2;
  let next = 1;
  const run = async () => {
    const client = new pg.Client({ connectionString, application_name: 'bench-seed' });
    await client.connect();
    try {
      await client.query(`set work_mem = '256MB'`);
      while (next <= total) {
        const first = next;
        const last = Math.min(total, first + chunk - 1);
        next = last + 1;
        await fill(client, first, last);
      }
    } finally {
      await client.end();
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, Math.ceil(total / chunk)) }, run));
}
