/**
 * The enqueue probes' setup: the core under test (BENCH_JOBBY_CORE: another checkout's
 * packages/core/src/index.ts, for A/B runs; see the README), a fresh schema migrated, a client of
 * the bench's registry with its types synced and its first submission (connection, validators)
 * already made, and a `close` that drops the schema.
 */
import type * as Core from '@jobby/core';
const core: typeof Core = await import(process.env.BENCH_JOBBY_CORE ?? '@jobby/core');
const { benchJobs, benchRegistry } = await import('../src/systems/jobby.js');

export async function openProbeClient() {
  const schema = `probe_${process.pid}`;
  const database = await core.openDatabase({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', schema });
  await core.migrate(database);
  const client = core.createJobbyClient({ database, registry: benchRegistry });
  await core.syncJobTypes(core.jobStoreOf(client), benchRegistry);
  await client.submitMany([{ type: benchJobs.refs.Noop, key: 'warm', input: { i: -1 } }]);
  return {
    client,
    noop: benchJobs.refs.Noop,
    async close() {
      await database.pool.query(`drop schema ${schema} cascade`);
      await database.close();
    },
  };
}
