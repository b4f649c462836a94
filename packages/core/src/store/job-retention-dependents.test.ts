import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testBackends, truncateJobs, type TestBackend, type TestDatabase } from '../testing/test-database.js';
import { until } from '../testing/until.js';
import { createJobStore, type JobStore } from './job-store.js';

/**
 * A dependency's output is what its dependents run on: retention (and ephemeral jobs, retention 0)
 * must never take it away while a dependent still has to run, whichever way the history goes
 * (row by row, or a whole partition), and however a dependent's enqueue and the dependency's
 * completion interleave.
 */

const A = 1000;
const B = 1001;
const C = 1002;
const names: Record<number, string> = { [A]: 'test.A', [B]: 'test.B', [C]: 'test.C' };
const input = (value: unknown = {}) => JSON.stringify(value);

function useStore(backend: TestBackend) {
  const handle = {} as { database: TestDatabase; store: JobStore };
  beforeAll(async () => {
    handle.database = await createTestDatabase({ backend });
    handle.store = createJobStore(handle.database, { describeType: (id) => names[id] ?? `type ${id}` });
    const sync = await handle.store.jobTypeSync(Object.entries(names).map(([id, name]) => ({ id: Number(id), name })));
    expect(sync.conflicts).toEqual([]);
  });
  afterAll(async () => {
    await handle.database?.close();
  });
  beforeEach(async () => {
    await truncateJobs(handle.database);
  });
  const claim = (typeIds: number[]) => handle.store.jobClaim({ workerId: 'w1', typeIds, limit: 10, leaseSeconds: 30 });
  const complete = (job: { id: string; attemptToken: string }, output: unknown) =>
    handle.store.jobCompleteMany([{ id: job.id, attemptToken: job.attemptToken, outputJson: input(output) }]);
  return { handle, claim, complete };
}

const outputsOf = (job: { dependencies: readonly { key: string; output: unknown }[] }) =>
  Object.fromEntries(job.dependencies.map((dependency) => [dependency.key, dependency.output]));

describe.each(testBackends)('retention and dependents on %s', (backend) => {
  const { handle, claim, complete } = useStore(backend);

  it('keeps an expired dependency (row by row) until its last dependent has run', async () => {
    await handle.store.jobEnqueueMany([
      { typeId: A, key: 'fast', inputJson: input(), retentionSeconds: 0 },
      { typeId: B, key: 'slow', inputJson: input(), retentionSeconds: 0 },
      { typeId: C, key: 'child', inputJson: input(), dependsOn: [{ typeId: A, key: 'fast' }, { typeId: B, key: 'slow' }], retentionSeconds: 0 },
    ]);
    const [fast] = await claim([A]);
    await complete(fast!, 'from fast');
    // Expired the moment it finished (retention 0), but the child has yet to run on its output.
    expect(await handle.store.jobPruneExpired()).toBe(0);
    const [slow] = await claim([B]);
    await complete(slow!, 'from slow');
    expect(await handle.store.jobPruneExpired()).toBe(0);
    const [child] = await claim([C]);
    expect(outputsOf(child!)).toEqual({ fast: 'from fast', slow: 'from slow' });
    await complete(child!, null);
    // Every dependent has finished: the whole chain goes.
    expect(await handle.store.jobPruneExpired()).toBe(2);
    expect(await handle.store.jobList()).toEqual([]);
  });

  it('keeps a partition of history whose job a live dependent in a later partition still needs', async () => {
    const schema = handle.database.schema;
    const sequence = `"${schema}".jobs_id_seq`;
    const span = 2 ** 24;
    const { rows: next } = await sql<{ id: string }>`select nextval(${sequence}::regclass) as id`.execute(handle.database.db);
    const first = Math.floor(Number(next[0]!.id) / span) * span;

    await handle.store.jobEnqueueMany([{ typeId: A, key: 'old', inputJson: input(), retentionSeconds: 0 }]);
    const [old] = await claim([A]);
    // A dependent enqueued while it runs: its output is kept (ephemeral, but depended on).
    await sql`select setval(${sequence}::regclass, ${first + span + 10})`.execute(handle.database.db);
    await handle.store.jobEnqueueMany([
      { typeId: B, key: 'gate', inputJson: input(), retentionSeconds: 0 },
      { typeId: C, key: 'late', inputJson: input(), dependsOn: [{ typeId: A, key: 'old' }, { typeId: B, key: 'gate' }], retentionSeconds: 0 },
    ]);
    await complete(old!, 'kept for late');
    // The first span has no live job and everything in it has expired, but 'late' still needs 'old'.
    await sql`select setval(${sequence}::regclass, ${first + 2 * span + 10})`.execute(handle.database.db);
    await handle.store.jobPruneExpired();
    expect((await handle.store.jobGetByReference({ typeId: A, key: 'old' }))?.ok).toBe(true);
    const [gate] = await claim([B]);
    await complete(gate!, 'open');
    const [late] = await claim([C]);
    expect(outputsOf(late!)).toEqual({ old: 'kept for late', gate: 'open' });
  });
});

// Two connections at once: only a server has them (the embedded database serves one at a time).
describe('retention and dependents on postgres, concurrently', () => {
  const { handle, claim, complete } = useStore('postgres');

  it(
    "keeps an ephemeral job's output when a dependent's enqueue commits while its completion waits",
    async () => {
      await handle.store.jobEnqueueMany([{ typeId: A, key: 'parent', inputJson: input(), retentionSeconds: 0 }]);
      const [parent] = await claim([A]);
      let completion: Promise<unknown> | undefined;
      await handle.database.db.transaction().execute(async (transaction) => {
        // The enqueue holds the parent's running row (key share) until it commits ...
        await handle.store.jobEnqueueMany([{ typeId: B, key: 'child', inputJson: input(), dependsOn: [{ typeId: A, key: 'parent' }] }], transaction);
        // ... so the parent's completion, started now, waits for that lock with an older snapshot.
        completion = complete(parent!, 'needed by child');
        await until('the completion to wait for the enqueue\'s lock', async () => {
          const { rows } = await sql<{ n: number }>`
            select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query like '%job_complete_many%'`.execute(handle.database.db);
          return rows[0]!.n > 0;
        }, 5_000);
      });
      await completion;
      expect(await handle.store.jobGetByReference({ typeId: A, key: 'parent' })).toMatchObject({ ok: true, value: { state: 'succeeded', output: 'needed by child' } });
      const [child] = await claim([B]);
      expect(outputsOf(child!)).toEqual({ parent: 'needed by child' });
    },
  );
});
