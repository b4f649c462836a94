/**
 * A child process for the cross-process tests: `node --import tsx embedded-child.ts <dataDir> [exit]`.
 * Connects (or starts) the embedded database, records its pid in a table, prints one JSON line,
 * then either exits at once without closing (`exit`) or waits for `close` on stdin.
 */
import { createInterface } from 'node:readline';
import pg from 'pg';
import { connectEmbedded } from '../resolve-embedded-database.js';

const [dataDir, mode] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: embedded-child.ts <dataDir> [exit]');

const connection = await connectEmbedded({ dataDir });
const client = new pg.Client({ connectionString: connection.connectionString });
await client.connect();
await client.query('CREATE TABLE IF NOT EXISTS hits (pid int NOT NULL)');
await client.query('INSERT INTO hits (pid) VALUES ($1)', [process.pid]);
const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM hits');
await client.end();
process.stdout.write(`${JSON.stringify({ pid: process.pid, owned: connection.owned, hits: rows[0]?.n, connectionString: connection.connectionString })}\n`);

if (mode === 'exit') process.exit(0);

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() === 'close') {
    await connection.close();
    process.stdout.write(`${JSON.stringify({ closed: true })}\n`);
    process.exit(0);
  }
}
