import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JobbyError } from '../errors.js';
import { createTestDatabase, testBackends, truncateJobs, type TestDatabase } from '../testing/test-database.js';
import { createJobStore, type JobStore } from './job-store.js';

/** The store suite: the same behaviour on real Postgres and on the embedded PGlite. */

const A = 1000;
const B = 1001;
const C = 1002;
const names: Record<number, string> = { [A]: 'test.A', [B]: 'test.B', [C]: 'test.C' };
const input = (value: unknown = {}) => JSON.stringify(value);

describe.each(testBackends)('job store on %s', (backend) => {
  let database: TestDatabase;
  let store: JobStore;

  beforeAll(async () => {
    database = await createTestDatabase({ backend });
    store = createJobStore(database, { describeType: (id) => names[id] ?? `type ${id}` });
    const sync = await store.jobTypeSync(Object.entries(names).map(([id, name]) => ({ id: Number(id), name })));
    expect(sync.conflicts).toEqual([]);
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await truncateJobs(database);
  });

  const claimAll = (typeIds = [A, B, C], limit = 100) => store.jobClaim({ workerId: 'w1', typeIds, limit, leaseSeconds: 30 });
  const state = async (typeId: number, key: string) => {
    const found = await store.jobGetByReference({ typeId, key });
    if (!found?.ok) throw new Error(`job ${typeId}:${key} not found`);
    return found.value;
  };

  it('enqueues one and many, idempotent on (type, key)', async () => {
    const [first] = await store.jobEnqueueMany([{ typeId: A, key: 'k1', inputJson: input({ n: 1 }) }]);
    expect(first).toMatchObject({ created: true, state: 'queued', typeId: A, key: 'k1' });
    const many = await store.jobEnqueueMany([
      { typeId: A, key: 'k1', inputJson: input({ n: 2 }) },
      { typeId: A, key: 'k2', inputJson: input() },
      { typeId: B, key: 'k1', inputJson: input() },
      { typeId: A, key: 'k2', inputJson: input() },
    ]);
    expect(many.map((result) => result.created)).toEqual([false, true, true, false]);
    expect(many[0]!.id).toBe(first!.id);
    expect(many[3]!.id).toBe(many[1]!.id);
    // Ids follow the batch's order (the claim's tie-break).
    expect(BigInt(many[1]!.id)).toBeGreaterThan(BigInt(first!.id));
    expect(BigInt(many[2]!.id)).toBeGreaterThan(BigInt(many[1]!.id));
    const job = await state(A, 'k1');
    expect(job.input).toEqual({ n: 1 });
    expect(job.inputBytes).toBe(Buffer.byteLength(input({ n: 1 })));
  });

  it('enqueues an all-new batch by plain inserts, and goes back to the idempotent path when a pair exists (migration 0009)', async () => {
    const fresh = createJobStore(database, { describeType: (id) => names[id] ?? `type ${id}` });
    const keyCount = async () =>
      (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(`${database.schema}.jobs`)}`.execute(database.db)).rows[0]!.n;
    const batch = (...keys: string[]) => keys.map((key) => ({ typeId: A, key, inputJson: input({ key }) }));

    const first = await fresh.jobEnqueueMany(batch('n1', 'n2', 'n3'));
    expect(first.map((result) => [result.key, result.created, result.state])).toEqual([
      ['n1', true, 'queued'],
      ['n2', true, 'queued'],
      ['n3', true, 'queued'],
    ]);
    expect(first.map((result) => BigInt(result.id))).toEqual(first.map((result) => BigInt(result.id)).sort((left, right) => (left < right ? -1 : 1)));
    expect(fresh.context.enqueue.expectNew).toBe(true);
    for (const result of first) expect((await state(A, result.key)).id).toBe(result.id);

    // n2 exists: the plain insert is refused whole, the batch goes through job_enqueue_many.
    const mixed = await fresh.jobEnqueueMany(batch('n4', 'n2', 'n5'));
    expect(mixed.map((result) => [result.key, result.created])).toEqual([
      ['n4', true],
      ['n2', false],
      ['n5', true],
    ]);
    expect(mixed[1]!.id).toBe(first[1]!.id);
    expect((await state(A, 'n2')).input).toEqual({ key: 'n2' });
    expect(await keyCount()).toBe(5);
    expect((await fresh.jobList()).length).toBe(5);
    expect(fresh.context.enqueue.expectNew).toBe(false);

    // The function itself: keys first, so a conflict fails before any job row is written.
    await database.db.transaction().execute(async (transaction) => {
      const schema = database.schema;
      // This backend's insert counters (pending ones included): compared before and after.
      const inserted = async () =>
        (
          await sql<{ jobs: number; keys: number }>`
            select pg_stat_get_xact_tuples_inserted(${`"${schema}".job_queue`}::regclass)::int as jobs,
                   pg_stat_get_xact_tuples_inserted(${`"${schema}".jobs`}::regclass)::int as keys`.execute(transaction)
        ).rows[0]!;
      const before = await inserted();
      await sql`savepoint attempt`.execute(transaction);
      const attempt = sql`select * from ${sql.id(schema, 'job_enqueue_new')}(
        array[${A}, ${A}, ${A}]::integer[], array['fresh-1', 'fresh-2', 'n3']::text[], array['{}', '{}', '{}']::jsonb[], array[2, 2, 2]::integer[],
        null, null, null, null, null, null, 25, 'unused')`.execute(transaction);
      await expect(attempt).rejects.toMatchObject({ code: '23505', constraint: 'jobs_identity' });
      await sql`rollback to savepoint attempt`.execute(transaction);
      const after = await inserted();
      // Three records (the conflicting one is written to the heap before the identity's index
      // refuses it), no queue row.
      expect({ jobs: after.jobs - before.jobs, keys: after.keys - before.keys }).toEqual({ jobs: 0, keys: 3 });
    });

    // A batch that turns out all new turns the plain inserts back on.
    await fresh.jobEnqueueMany(batch('n6', 'n7'));
    expect(fresh.context.enqueue.expectNew).toBe(true);

    // Inside the caller's transaction an existing pair never aborts the caller's work.
    await database.db.transaction().execute(async (transaction) => {
      const inside = await fresh.jobEnqueueMany(batch('n8', 'n1'), transaction);
      expect(inside.map((result) => result.created)).toEqual([true, false]);
      await sql`select 1`.execute(transaction);
    });
    expect(fresh.context.enqueue.expectNew).toBe(true);
    // Nor on a connection the caller holds inside a BEGIN of its own.
    await database.db.connection().execute(async (connection) => {
      await sql`begin`.execute(connection);
      try {
        const inside = await fresh.jobEnqueueMany(batch('n9', 'n1'), connection);
        expect(inside.map((result) => result.created)).toEqual([true, false]);
        await sql`select 1`.execute(connection);
        await sql`commit`.execute(connection);
      } catch (error) {
        // Never hand the pool a connection left inside an aborted transaction.
        await sql`rollback`.execute(connection);
        throw error;
      }
    });
    expect(await keyCount()).toBe(9);
    expect((await fresh.jobList()).map((row) => (row.ok ? row.value.key : row)).sort()).toEqual(['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9']);
  });

  it('treats keys as identifiers, compared bytewise (migration 0010): case and Unicode forms are different keys', async () => {
    const keys = ['Key', 'key', '\u00e9', 'e\u0301', 'ß', 'ss'];
    const results = await store.jobEnqueueMany(keys.map((key) => ({ typeId: A, key, inputJson: input({ key }) })));
    expect(results.map((result) => result.created)).toEqual(keys.map(() => true));
    for (const key of keys) expect((await state(A, key)).input).toEqual({ key });
    const { rows } = await sql<{ collation: string }>`
      select collation_name as collation from information_schema.columns
      where table_schema = ${database.schema} and table_name = 'jobs' and column_name = 'key'`.execute(database.db);
    expect(rows).toEqual([{ collation: 'C' }]);
  });

  it('refuses keys and inputs with a lone UTF-16 surrogate, naming where; whole emoji count 2 units each, up to 512', async () => {
    const cut = 'cut-\u{1F600}'.slice(0, 5); // 'cut-' and half of the emoji
    const refused = async (jobs: Parameters<JobStore['jobEnqueueMany']>[0], message: string) => {
      const error = await store.jobEnqueueMany(jobs).then(() => undefined, (thrown: unknown) => thrown);
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect((error as Error).message).toContain(message);
    };
    await refused([{ typeId: A, key: cut, inputJson: input() }], 'key of test.A contains a lone UTF-16 surrogate (U+D83D at index 4)');
    await refused([{ typeId: A, key: '\uDE00-low-first', inputJson: input() }], 'lone UTF-16 surrogate (U+DE00 at index 0)');
    await refused([{ typeId: A, key: 'ok', inputJson: input(), dependsOn: [{ typeId: B, key: cut }] }], 'dependsOn[0].key of test.A:ok contains a lone UTF-16 surrogate');
    // JSON text as JSON.stringify writes a lone surrogate (escaped): jsonb refuses it (22P02).
    await refused([{ typeId: A, key: 'escaped', inputJson: JSON.stringify({ name: cut }) }], 'escapes a lone UTF-16 surrogate');
    // The same, raw: the driver would have stored U+FFFD without a word.
    await refused([{ typeId: A, key: 'raw', inputJson: `{"name":"${cut}"}` }], 'input of test.A:raw must be JSON text without lone UTF-16 surrogates');
    await refused([{ typeId: A, key: '\u{1F600}'.repeat(300), inputJson: input() }], 'must be 1–512 UTF-16 code units long (String.length; a character outside the Basic Multilingual Plane, such as an emoji, counts 2), got 600');
    const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(`${database.schema}.jobs`)}`.execute(database.db);
    expect(Number(rows[0]!.n)).toBe(0);
    // Whole characters are stored as given: 256 emoji are 512 units.
    const emoji = '\u{1F600}'.repeat(256);
    const [created] = await store.jobEnqueueMany([{ typeId: A, key: emoji, inputJson: input({ emoji }) }]);
    expect(created).toMatchObject({ created: true, key: emoji });
    expect((await state(A, emoji)).input).toEqual({ emoji });
  });

  it('refuses runAt out of years 1–9999 or not a Date, and a retention that is not an integer 0–2^31−1, writing nothing', async () => {
    const refused = async (options: Record<string, unknown>, message: string) => {
      const error = await store.jobEnqueueMany([{ typeId: A, key: 'options', inputJson: input(), ...options } as never]).then(() => undefined, (thrown: unknown) => thrown);
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect((error as Error).message).toContain(message);
    };
    await refused({ runAt: new Date('+010000-01-01T00:00:00Z') }, 'test.A:options: runAt must be within years 1–9999 (UTC)');
    await refused({ runAt: new Date('0000-06-01T00:00:00Z') }, 'runAt must be within years 1–9999 (UTC), got 0000-06-01');
    await refused({ runAt: '2026-01-01' }, 'runAt must be a Date, got string');
    await refused({ runAt: 0 }, 'runAt must be a Date, got number 0');
    await refused({ retentionSeconds: -1 }, 'retentionSeconds must be an integer 0–2,147,483,647');
    await refused({ retentionSeconds: 1.5 }, 'got 1.5');
    expect(await store.jobGetByReference({ typeId: A, key: 'options' })).toBeUndefined();
    // The edges are stored as given.
    const last = new Date('9999-12-31T23:59:59.999Z');
    await store.jobEnqueueMany([{ typeId: A, key: 'edges', inputJson: input(), runAt: last, retentionSeconds: 0 }]);
    expect((await state(A, 'edges')).runAt.toISOString()).toBe(last.toISOString());
  });

  it('enqueues inside the caller transaction and rolls back with it', async () => {
    await expect(
      database.db.transaction().execute(async (transaction) => {
        await store.jobEnqueueMany([{ typeId: A, key: 'tx', inputJson: input() }], transaction);
        throw new Error('application rollback');
      }),
    ).rejects.toThrow('application rollback');
    expect(await store.jobGetByReference({ typeId: A, key: 'tx' })).toBeUndefined();
  });

  it('refuses a missing dependency and a cycle, writing nothing', async () => {
    const missing = store.jobEnqueueMany([{ typeId: B, key: 'child', inputJson: input(), dependsOn: [{ typeId: A, key: 'nope' }] }]);
    await expect(missing).rejects.toMatchObject({ code: 'DEPENDENCY_MISSING' });
    await expect(missing).rejects.toThrow('test.B:child depends on test.A:nope, which does not exist');
    const cycle = store.jobEnqueueMany([
      { typeId: A, key: 'x', inputJson: input(), dependsOn: [{ typeId: B, key: 'y' }] },
      { typeId: B, key: 'y', inputJson: input(), dependsOn: [{ typeId: A, key: 'x' }] },
    ]);
    await expect(cycle).rejects.toMatchObject({ code: 'DEPENDENCY_CYCLE' });
    expect(await store.jobList()).toEqual([]);
  });

  it('refuses a job type the database has not registered, on both paths, writing nothing', async () => {
    const unknown = 1099;
    const plain = store.jobEnqueueMany([
      { typeId: A, key: 'fine', inputJson: input() },
      { typeId: unknown, key: 'u', inputJson: input() },
    ]);
    await expect(plain).rejects.toMatchObject({ code: 'UNKNOWN_JOB_TYPE' });
    await expect(plain).rejects.toThrow('job type id 1099 is not registered in job_types');
    await store.jobEnqueueMany([{ typeId: A, key: 'root', inputJson: input() }]);
    const withDependencies = store.jobEnqueueMany([{ typeId: unknown, key: 'child', inputJson: input(), dependsOn: [{ typeId: A, key: 'root' }] }]);
    await expect(withDependencies).rejects.toMatchObject({ code: 'UNKNOWN_JOB_TYPE' });
    expect((await store.jobList()).map((row) => (row.ok ? row.value.key : row))).toEqual(['root']);
    // The keys of the refused batches were not taken.
    const [fine] = await store.jobEnqueueMany([{ typeId: A, key: 'fine', inputJson: input() }]);
    expect(fine).toMatchObject({ created: true });
  });

  it('keeps every job typed: deleting or renumbering a type with jobs is refused', async () => {
    const jobTypes = sql.table(`${database.schema}.job_types`);
    await store.jobEnqueueMany([{ typeId: B, key: 'kept', inputJson: input() }]);
    await expect(sql`delete from ${jobTypes} where id = ${B}`.execute(database.db)).rejects.toThrow('job type test.B (id 1001) still has jobs');
    await expect(sql`update ${jobTypes} set id = 1098 where id = ${B}`.execute(database.db)).rejects.toThrow('still has jobs');
    await expect(sql`update ${jobTypes} set id = id, last_seen_at = now() where id = ${B}`.execute(database.db)).resolves.toBeDefined();
    // A type without jobs can go.
    await sql`insert into ${jobTypes} (id, name) values (1097, 'test.Unused')`.execute(database.db);
    expect(Number((await sql`delete from ${jobTypes} where id = 1097`.execute(database.db)).numAffectedRows)).toBe(1);
  });

  it('claims without scanning the tables, also once they have statistics', async () => {
    const jobs = sql.table(`${database.schema}.job_queue`);
    await store.jobEnqueueMany(Array.from({ length: 5_000 }, (_, index) => ({ typeId: A, key: `s${index}`, inputJson: input({ index }) })));
    await sql`analyze ${jobs}`.execute(database.db);
    // This backend's counters not yet flushed to the statistics (pg_stat_xact_*), before and
    // after the claim, on one connection: the difference is the claim's.
    const scans = await database.db.transaction().execute(async (transaction) => {
      const sequentialScans = async () =>
        Number(
          (
            await sql<{ seq_scan: string }>`
              select sum(seq_scan) as seq_scan from pg_stat_xact_user_tables
              where relid in (${`${database.schema}.jobs`}::regclass, ${`${database.schema}.job_queue`}::regclass)`.execute(transaction)
          ).rows[0]?.seq_scan,
        );
      const before = await sequentialScans();
      const claimed = await sql<{ n: number }>`
        select count(*)::int as n from ${sql.id(database.schema, 'job_claim')}(${sql.val([A])}::int[], 250, 'w1', 30)`.execute(transaction);
      expect(claimed.rows[0]!.n).toBe(250);
      return (await sequentialScans()) - before;
    });
    expect(scans).toBe(0);
  });

  it('claims in one batch: priority first, run-at respected, attempt counted, lease taken', async () => {
    const future = new Date(Date.now() + 3_600_000);
    await store.jobEnqueueMany([
      { typeId: A, key: 'low', inputJson: input() },
      { typeId: A, key: 'high', inputJson: input(), priority: 5 },
      { typeId: A, key: 'later', inputJson: input(), runAt: future },
      { typeId: C, key: 'other-type', inputJson: input() },
    ]);
    const claimed = await store.jobClaim({ workerId: 'w1', typeIds: [A], limit: 10, leaseSeconds: 30 });
    expect(claimed.map((job) => job.key)).toEqual(['high', 'low']);
    expect(claimed[0]).toMatchObject({ attempt: 1, maxAttempts: 25 });
    const job = await state(A, 'high');
    expect(job).toMatchObject({ state: 'running', workerId: 'w1', attempts: 1 });
    expect(job.leaseExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 20_000);
    expect(await claimAll([A])).toEqual([]);
  });

  it('fan-in: a dependent runs only after all its dependencies succeeded, and receives their outputs', async () => {
    await store.jobEnqueueMany([
      { typeId: A, key: 'p1', inputJson: input() },
      { typeId: B, key: 'p2', inputJson: input() },
      { typeId: C, key: 'child', inputJson: input(), dependsOn: [{ typeId: A, key: 'p1' }, { typeId: B, key: 'p2' }] },
    ]);
    expect((await state(C, 'child')).state).toBe('waiting');
    const [p1, p2] = await claimAll();
    expect([p1!.key, p2!.key].sort()).toEqual(['p1', 'p2']);
    await store.jobCompleteMany([{ id: p1!.id, attemptToken: p1!.attemptToken, outputJson: input({ from: p1!.key }) }]);
    expect((await state(C, 'child')).state).toBe('waiting');
    await store.jobCompleteMany([{ id: p2!.id, attemptToken: p2!.attemptToken, outputJson: input({ from: p2!.key }) }]);
    const child = await state(C, 'child');
    expect(child).toMatchObject({ state: 'queued', pendingDependencies: 0 });
    const [claimedChild] = await claimAll();
    expect(claimedChild!.key).toBe('child');
    expect(claimedChild!.dependencies.map((dependency) => dependency.output).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      { from: 'p1' },
      { from: 'p2' },
    ]);
  });

  it('rejects a stale completion: the attempt token fences it', async () => {
    await store.jobEnqueueMany([{ typeId: A, key: 'fenced', inputJson: input() }]);
    const [first] = await claimAll();
    // The lease expires and another worker claims the job again.
    await sql`update ${sql.table(`${database.schema}.job_running`)} set lease_expires_at = now() - interval '1 second'`.execute(database.db);
    expect((await store.jobLeaseRescueExpired()).requeued).toEqual([first!.id]);
    const [second] = await claimAll();
    expect(second!.attempt).toBe(2);
    const late = await store.jobCompleteMany([{ id: first!.id, attemptToken: first!.attemptToken, outputJson: input('late') }]);
    expect(late).toEqual({ completed: [], stale: [first!.id] });
    const lateFailure = await store.jobFailMany([{ id: first!.id, attemptToken: first!.attemptToken, error: { code: 'X', message: 'late' }, retryable: true }]);
    expect(lateFailure.stale).toEqual([first!.id]);
    const done = await store.jobCompleteMany([{ id: second!.id, attemptToken: second!.attemptToken, outputJson: input('fresh') }]);
    expect(done.completed).toEqual([second!.id]);
    const again = await store.jobCompleteMany([{ id: second!.id, attemptToken: second!.attemptToken, outputJson: input('twice') }]);
    expect(again.stale).toEqual([second!.id]);
    expect((await state(A, 'fenced')).output).toBe('fresh');
    const attempts = await store.jobAttemptList(second!.id);
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['lease_expired']);
  });

  it('retries with backoff, then fails for good and cancels every waiting descendant', async () => {
    await store.jobEnqueueMany([{ typeId: A, key: 'root', inputJson: input(), maxAttempts: 2 }]);
    await store.jobEnqueueMany([{ typeId: B, key: 'mid', inputJson: input(), dependsOn: [{ typeId: A, key: 'root' }] }]);
    await store.jobEnqueueMany([{ typeId: C, key: 'leaf', inputJson: input(), dependsOn: [{ typeId: B, key: 'mid' }] }]);
    const [first] = await claimAll();
    const retry = await store.jobFailMany([
      { id: first!.id, attemptToken: first!.attemptToken, error: { code: 'BOOM', message: 'first' }, retryable: true, backoffBaseMs: 60_000 },
    ]);
    expect(retry.retried).toEqual([first!.id]);
    const queued = await state(A, 'root');
    expect(queued.state).toBe('queued');
    const delay = queued.runAt.getTime() - Date.now();
    expect(delay).toBeGreaterThan(25_000);
    expect(delay).toBeLessThan(61_000);
    await store.jobRunNow(first!.id);
    const [second] = await claimAll();
    const final = await store.jobFailMany([{ id: second!.id, attemptToken: second!.attemptToken, error: { code: 'BOOM', message: 'second' }, retryable: true }]);
    expect(final.failed).toEqual([second!.id]);
    expect(final.cancelledDescendants).toHaveLength(2);
    for (const [typeId, key] of [[B, 'mid'], [C, 'leaf']] as const) {
      const job = await state(typeId, key);
      expect(job.state).toBe('cancelled');
      expect(job.lastError).toMatchObject({ code: 'DEPENDENCY_FAILED', message: 'dependency test.A:root failed' });
    }
    // A job submitted later on a failed dependency is cancelled at once, never left waiting.
    const [late] = await store.jobEnqueueMany([{ typeId: B, key: 'late', inputJson: input(), dependsOn: [{ typeId: A, key: 'root' }] }]);
    expect(late!.state).toBe('cancelled');
    // Retry revives the subtree that was cancelled because of the failure.
    const retried = await store.jobRetry(first!.id);
    expect(retried.reset.length).toBe(4);
    expect((await state(A, 'root')).state).toBe('queued');
    expect((await state(C, 'leaf')).state).toBe('waiting');
  });

  it('extends leases, hands back on shutdown without counting the attempt', async () => {
    await store.jobEnqueueMany([{ typeId: A, key: 'held', inputJson: input(), maxAttempts: 1 }]);
    const [job] = await claimAll();
    expect(await store.jobLeaseExtend({ jobs: [{ id: job!.id, attemptToken: job!.attemptToken }], leaseSeconds: 120 })).toEqual([job!.id]);
    expect(await store.jobLeaseExtend({ jobs: [{ id: job!.id, attemptToken: '999999' }], leaseSeconds: 120 })).toEqual([]);
    expect(await store.jobHandBack([{ id: job!.id, attemptToken: job!.attemptToken }])).toEqual([job!.id]);
    expect(await state(A, 'held')).toMatchObject({ state: 'queued', attempts: 0 });
    const [again] = await claimAll();
    expect(again!.attempt).toBe(1);
    await sql`update ${sql.table(`${database.schema}.job_running`)} set lease_expires_at = now() - interval '1 second'`.execute(database.db);
    const rescued = await store.jobLeaseRescueExpired();
    expect(rescued.failed).toEqual([again!.id]);
    expect((await state(A, 'held')).lastError?.code).toBe('LEASE_EXPIRED');
  });

  it('keeps a rescued or handed-back job in its place in the queue (its run-at does not move)', async () => {
    await store.jobEnqueueMany([{ typeId: A, key: 'orphan', inputJson: input(), runAt: new Date(Date.now() - 60_000) }]);
    const before = (await state(A, 'orphan')).runAt.getTime();
    await claimAll();
    await sql`update ${sql.table(`${database.schema}.job_running`)} set lease_expires_at = now() - interval '1 second'`.execute(database.db);
    await store.jobLeaseRescueExpired();
    expect((await state(A, 'orphan')).runAt.getTime()).toBe(before);
    const [again] = await claimAll();
    await store.jobHandBack([{ id: again!.id, attemptToken: again!.attemptToken }]);
    expect((await state(A, 'orphan')).runAt.getTime()).toBe(before);
  });

  it('writes progress and log lines of running attempts, fenced by the token; the outcome takes the progress (issue 20)', async () => {
    await store.jobEnqueueMany([{ typeId: A, key: 'reported', inputJson: input() }]);
    const [job] = await claimAll();
    const lines = (from: number, count: number) =>
      Array.from({ length: count }, (_, index) => ({ line: from + index, at: new Date(), level: 'info' as const, message: `line ${from + index}`, data: { n: from + index } }));
    const stored = () =>
      sql<{ attempt: number; line: number; message: string; data: unknown }>`
        select attempt, line, message, data from ${sql.table(`${database.schema}.job_logs`)} where job_id = ${job!.id}::bigint order by line`.execute(database.db);
    const running = () => sql<{ progress: number | null; progress_message: string | null }>`
        select progress, progress_message from ${sql.table(`${database.schema}.job_running`)} where job_id = ${job!.id}::bigint`.execute(database.db);
    const token = job!.attemptToken;
    expect(await store.jobReportMany([{ id: job!.id, attemptToken: token, progress: 0.25, progressMessage: 'a quarter', lines: lines(1, 2) }])).toEqual([job!.id]);
    // Lines alone leave the progress as it is; a stale token writes nothing.
    expect(await store.jobReportMany([{ id: job!.id, attemptToken: token, lines: lines(3, 1) }])).toEqual([job!.id]);
    expect(await store.jobReportMany([{ id: job!.id, attemptToken: String(BigInt(token) + 1000n), progress: 0.9, lines: lines(4, 1) }])).toEqual([]);
    expect((await running()).rows).toEqual([{ progress: 0.25, progress_message: 'a quarter' }]);
    expect((await stored()).rows).toEqual([1, 2, 3].map((n) => ({ attempt: 1, line: n, message: `line ${n}`, data: { n } })));
    await store.jobReportMany([{ id: job!.id, attemptToken: token, progress: 1, progressMessage: null }]);
    await store.jobCompleteMany([{ id: job!.id, attemptToken: token, outputJson: null }]);
    const { rows: outcome } = await sql`select progress, progress_message from ${sql.table(`${database.schema}.job_outcomes`)} where job_id = ${job!.id}::bigint`.execute(database.db);
    expect(outcome).toEqual([{ progress: 1, progress_message: null }]);
    expect((await stored()).rows).toHaveLength(3);
    // After the outcome, the attempt takes nothing more.
    expect(await store.jobReportMany([{ id: job!.id, attemptToken: token, lines: lines(4, 1) }])).toEqual([]);
  });

  it('cancels, re-runs a subtree, and prunes expired jobs', async () => {
    await store.jobEnqueueMany([{ typeId: A, key: 'r', inputJson: input(), retentionSeconds: 0 }]);
    await store.jobEnqueueMany([{ typeId: B, key: 'c', inputJson: input(), dependsOn: [{ typeId: A, key: 'r' }], retentionSeconds: 0 }]);
    const [root] = await claimAll();
    await store.jobCompleteMany([{ id: root!.id, attemptToken: root!.attemptToken, outputJson: input(1) }]);
    // Ephemeral (retention 0), but something depends on it: its output is kept.
    expect(await state(A, 'r')).toMatchObject({ state: 'succeeded', output: 1 });
    const child = await state(B, 'c');
    expect(child).toMatchObject({ state: 'queued' });
    expect((await store.jobRerun(root!.id)).reset.sort()).toEqual([root!.id, child.id].sort());
    expect(await state(A, 'r')).toMatchObject({ state: 'queued', attempts: 0, output: null });
    expect(await state(B, 'c')).toMatchObject({ state: 'waiting', pendingDependencies: 1 });
    const cancelled = await store.jobCancel(root!.id);
    expect(cancelled).toMatchObject({ cancelled: true, previousState: 'queued', cancelledDescendants: [child.id] });
    expect((await store.jobCancel(root!.id)).cancelled).toBe(false);
    expect(await store.jobPruneExpired()).toBe(2);
    expect(await store.jobList()).toEqual([]);
    // A pruned job's key is free again.
    const [again] = await store.jobEnqueueMany([{ typeId: A, key: 'r', inputJson: input() }]);
    expect(again).toMatchObject({ created: true, state: 'queued' });
    expect(again!.id).not.toBe(root!.id);
  });

  it('drops a partition of history whole once every job in it has expired, and keeps one with a job kept forever', async () => {
    const schema = database.schema;
    const sequence = `"${schema}".jobs_id_seq`;
    const partitions = async (parent = 'job_outcomes') =>
      (
        await sql<{ name: string }>`
          select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
          where i.inhparent = ${`"${schema}".${parent}`}::regclass and c.relname <> ${`${parent}_default`}`.execute(database.db)
      ).rows.map((row) => row.name);
    const span = 2 ** 24;
    const { rows: next } = await sql<{ id: string }>`select nextval(${sequence}::regclass) as id`.execute(database.db);
    const first = Math.floor(Number(next[0]!.id) / span) * span;
    const cancelAll = async (...keys: string[]) => {
      for (const key of keys) await store.jobCancel((await state(A, key)).id);
    };

    // A span with a job kept forever: its expired neighbour goes row by row, the partition stays.
    await store.jobEnqueueMany([
      { typeId: A, key: 'expiring', inputJson: input(), retentionSeconds: 0 },
      { typeId: A, key: 'forever', inputJson: input() },
    ]);
    await cancelAll('expiring', 'forever');
    await sql`select setval(${sequence}::regclass, ${first + span + 10})`.execute(database.db);
    expect(await store.jobPruneExpired()).toBe(1);
    expect(await partitions()).toEqual(expect.arrayContaining([`job_outcomes_${first}`, `job_outcomes_${first + span}`]));
    expect(await store.jobGetByReference({ typeId: A, key: 'expiring' })).toBeUndefined();
    expect((await state(A, 'forever')).state).toBe('cancelled');

    // A span where every job expires, later: it waits for its last job, then goes whole.
    await store.jobEnqueueMany([
      { typeId: A, key: 'e1', inputJson: input(), retentionSeconds: 3600 },
      { typeId: A, key: 'e2', inputJson: input(), retentionSeconds: 3600 },
    ]);
    await cancelAll('e1', 'e2');
    await sql`select setval(${sequence}::regclass, ${first + 2 * span + 10})`.execute(database.db);
    expect(await store.jobPruneExpired()).toBe(0);
    expect(await partitions()).toContain(`job_outcomes_${first + span}`);
    // An hour later (as far as their expiry is concerned).
    await sql`update ${sql.table(`${schema}.job_outcomes`)} set expires_at = now() - interval '1 second' where expires_at is not null`.execute(database.db);
    expect(await store.jobPruneExpired()).toBe(2);
    const after = await partitions();
    expect(after).not.toContain(`job_outcomes_${first + span}`);
    expect(after).toEqual(expect.arrayContaining([`job_outcomes_${first}`, `job_outcomes_${first + 2 * span}`]));
    // Handlers' log lines are partitioned alike and go with the history (migration 0009).
    expect((await partitions('job_logs')).sort()).toEqual(after.map((name) => name.replace('job_outcomes', 'job_logs')).sort());
    expect(await store.jobGetByReference({ typeId: A, key: 'e1' })).toBeUndefined();
  });

  it('pauses a type (its jobs wait, nothing lost) and limits its running jobs across all claimers (issue 19)', async () => {
    await store.jobEnqueueMany([
      ...Array.from({ length: 5 }, (_, index) => ({ typeId: A, key: `paused-${index}`, inputJson: input() })),
      ...Array.from({ length: 5 }, (_, index) => ({ typeId: C, key: `free-${index}`, inputJson: input() })),
    ]);
    expect(await store.jobTypeControlSet(A, { paused: true })).toMatchObject({ typeId: A, paused: true, concurrency: null, rate: null });
    const claim = (limit: number, worker = 'w') => store.jobClaim({ workerId: worker, typeIds: [A, C], limit, leaseSeconds: 30 });
    expect((await claim(10)).map((job) => job.typeId)).toEqual([C, C, C, C, C]);
    expect(await claim(10)).toEqual([]);
    expect(await store.jobTypeControlList()).toMatchObject([{ typeId: A, paused: true, concurrency: null, rate: null }]);
    // Resumed: no control left, the row goes.
    expect(await store.jobTypeControlSet(A, { paused: false })).toMatchObject({ typeId: A, paused: false, concurrency: null, rate: null });
    expect(await store.jobTypeControlList()).toEqual([]);
    expect(await claim(10)).toHaveLength(5);

    await truncateJobs(database);
    await store.jobEnqueueMany(Array.from({ length: 20 }, (_, index) => ({ typeId: A, key: `limited-${index}`, inputJson: input() })));
    await store.jobTypeControlSet(A, { concurrency: 3 });
    // Five claimers at once, each asking for ten: three run in all.
    const batches = await Promise.all(Array.from({ length: 5 }, (_, index) => claim(10, `w${index}`)));
    const running = batches.flat();
    expect(running).toHaveLength(3);
    expect(await claim(10)).toEqual([]);
    // One finishes: one more may start.
    await store.jobCompleteMany([{ id: running[0]!.id, attemptToken: running[0]!.attemptToken, outputJson: null }]);
    expect(await claim(10)).toHaveLength(1);
    // Paused and limited: nothing; the limit raised and resumed: up to the new limit.
    await store.jobTypeControlSet(A, { paused: true });
    expect(await claim(10)).toEqual([]);
    expect(await store.jobTypeControlSet(A, { paused: false, concurrency: 5, rate: null })).toMatchObject({ typeId: A, paused: false, concurrency: 5, rate: null });
    expect(await claim(10)).toHaveLength(2);
    expect(await store.jobTypeControlSet(A, { concurrency: null })).toMatchObject({ typeId: A, paused: false, concurrency: null, rate: null });
    expect(await claim(100)).toHaveLength(20 - 6);
    // Bad input: a clear error, nothing changed.
    await expect(store.jobTypeControlSet(A, { concurrency: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(store.jobTypeControlSet(4242, { paused: true })).rejects.toMatchObject({ code: 'UNKNOWN_JOB_TYPE' });
    expect(await store.jobTypeControlList()).toEqual([]);
  });

  it('limits the starts of a type per interval across all claimers: a sliding window, never more (issue 19)', async () => {
    await store.jobEnqueueMany(Array.from({ length: 30 }, (_, index) => ({ typeId: A, key: `rated-${index}`, inputJson: input() })));
    expect(await store.jobTypeControlSet(A, { rate: { limit: 4, intervalMs: 600 } })).toMatchObject({ typeId: A, paused: false, concurrency: null, rate: { limit: 4, intervalMs: 600 } });
    const claim = (limit: number, worker = 'w') => store.jobClaim({ workerId: worker, typeIds: [A], limit, leaseSeconds: 30 });
    // Five claimers at once: four starts in all, and none more within the interval.
    const started = Date.now();
    expect((await Promise.all(Array.from({ length: 5 }, (_, index) => claim(10, `w${index}`)))).flat()).toHaveLength(4);
    expect(await claim(10)).toEqual([]);
    // Finishing does not give a start back (unlike a concurrency limit); the interval does.
    let again = await claim(10);
    while (again.length === 0 && Date.now() - started < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      again = await claim(10);
    }
    expect(again).toHaveLength(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(590);
    // With a concurrency limit too, the smaller room wins; cleared, the rest is claimed at once.
    expect(await store.jobTypeControlSet(A, { concurrency: 1, rate: { limit: 100, intervalMs: 1_000 } })).toMatchObject({ concurrency: 1, rate: { limit: 100, intervalMs: 1_000 } });
    expect(await claim(10)).toHaveLength(0);
    await store.jobTypeControlSet(A, { concurrency: null, rate: null });
    expect(await store.jobTypeControlList()).toEqual([]);
    expect(await claim(100)).toHaveLength(22);
    await expect(store.jobTypeControlSet(A, { rate: { limit: 0, intervalMs: 1_000 } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(store.jobTypeControlSet(A, { rate: { limit: 5, intervalMs: 0.5 } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('rate interval') });
  });

  it("shares a claim between types: one type's backlog does not take it all (issue 19, fairness)", async () => {
    const old = new Date(Date.now() - 60_000);
    await store.jobEnqueueMany([
      ...Array.from({ length: 50 }, (_, index) => ({ typeId: A, key: `storm-${index}`, inputJson: input(), runAt: old })),
      ...Array.from({ length: 3 }, (_, index) => ({ typeId: C, key: `calm-${index}`, inputJson: input() })),
    ]);
    // Ordered together, the 50 older jobs of A would fill a claim of 10; shared, C gets its 3.
    const first = await store.jobClaim({ workerId: 'w', typeIds: [A, C], limit: 10, leaseSeconds: 30 });
    expect(first.filter((job) => job.typeId === C)).toHaveLength(3);
    expect(first.filter((job) => job.typeId === A)).toHaveLength(7);
    // What C leaves goes to A.
    expect((await store.jobClaim({ workerId: 'w', typeIds: [A, C], limit: 100, leaseSeconds: 30 })).map((job) => job.typeId)).toEqual(Array(43).fill(A));
  });

  it('tells when the earliest future run-at falls, when a claim runs dry', async () => {
    const soon = Date.now() + 30_000;
    await store.jobEnqueueMany([
      { typeId: A, key: 'now', inputJson: input() },
      { typeId: A, key: 'later', inputJson: input(), runAt: new Date(soon + 60_000) },
      { typeId: A, key: 'soon', inputJson: input(), runAt: new Date(soon), priority: -3 },
      { typeId: C, key: 'sooner-other-type', inputJson: input(), runAt: new Date(soon - 20_000) },
    ]);
    const full = await store.jobClaim({ workerId: 'w', typeIds: [A], limit: 1, leaseSeconds: 30 });
    expect(full).toHaveLength(1);
    expect(full.nextRunInMs).toBeNull();
    const dry = await store.jobClaim({ workerId: 'w', typeIds: [A], limit: 10, leaseSeconds: 30 });
    expect(dry).toEqual([]);
    expect(Math.abs(Date.now() + dry.nextRunInMs! - soon)).toBeLessThan(1_000);
    expect(Math.abs(Date.now() + (await claimAll([A, C])).nextRunInMs! - (soon - 20_000))).toBeLessThan(1_000);
    await store.jobTypeControlSet(C, { paused: true });
    expect(Math.abs(Date.now() + (await claimAll([A, C])).nextRunInMs! - soon)).toBeLessThan(1_000);
    await store.jobTypeControlSet(C, { paused: false });
    expect((await claimAll([B])).nextRunInMs).toBeNull();
  });

  it('keeps claiming and rescuing when a job is both queued and running (rows written around the store)', async () => {
    await store.jobEnqueueMany([{ typeId: A, key: 'twice', inputJson: input() }]);
    const [running] = await claimAll();
    await store.jobEnqueueMany([{ typeId: A, key: 'other', inputJson: input() }]);
    const strayQueueRow = sql`insert into ${sql.table(`${database.schema}.job_queue`)} (job_id, type_id, priority, run_at) values (${running!.id}, ${A}, 0, now())`;
    await strayQueueRow.execute(database.db);
    // The running attempt stays the only one; the stray row goes; other jobs are claimed.
    expect((await claimAll()).map((job) => job.key)).toEqual(['other']);
    expect((await state(A, 'twice')).state).toBe('running');
    // The same when its lease expires while a stray queue row exists: the rescue goes on.
    await strayQueueRow.execute(database.db);
    await sql`update ${sql.table(`${database.schema}.job_running`)} set lease_expires_at = now() - interval '1 second'`.execute(database.db);
    expect((await store.jobLeaseRescueExpired()).requeued.sort()).toEqual([running!.id, (await state(A, 'other')).id].sort());
    expect((await claimAll()).map((job) => job.key).sort()).toEqual(['other', 'twice']);
  });

  it('keeps no history of an ephemeral job (retention 0) that succeeds, but keeps its failures', async () => {
    await store.jobEnqueueMany([
      { typeId: A, key: 'gone', inputJson: input(), retentionSeconds: 0 },
      { typeId: A, key: 'failing', inputJson: input(), retentionSeconds: 0, maxAttempts: 1 },
    ]);
    const claimed = await claimAll();
    const byKey = new Map(claimed.map((job) => [job.key, job]));
    await store.jobCompleteMany([{ id: byKey.get('gone')!.id, attemptToken: byKey.get('gone')!.attemptToken, outputJson: input(1) }]);
    await store.jobFailMany([{ id: byKey.get('failing')!.id, attemptToken: byKey.get('failing')!.attemptToken, error: { code: 'X', message: 'no' }, retryable: true }]);
    expect(await store.jobGetByReference({ typeId: A, key: 'gone' })).toBeUndefined();
    expect(await state(A, 'failing')).toMatchObject({ state: 'failed', lastError: { code: 'X' } });
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(`${database.schema}.job_outcomes`)}`.execute(database.db);
    expect(rows[0]!.n).toBe(1);
    // The key of a job that left no history can be submitted again.
    const [again] = await store.jobEnqueueMany([{ typeId: A, key: 'gone', inputJson: input() }]);
    expect(again).toMatchObject({ created: true });
  });

  it('refuses a registry whose ids conflict with what the database has seen', async () => {
    const result = await store.jobTypeSync([{ id: A, name: 'other.Name' }]);
    expect(result.conflicts).toEqual([{ id: A, registryName: 'other.Name', databaseName: 'test.A', kind: 'id', databaseId: A }]);
  });

  it('lists with filters and keyset pagination', async () => {
    await store.jobEnqueueMany(Array.from({ length: 5 }, (_, index) => ({ typeId: A, key: `page-${index}`, inputJson: input() })));
    const first = await store.jobList({ typeIds: [A], limit: 2 });
    const rest = await store.jobList({ typeIds: [A], limit: 10, beforeId: first.at(-1)!.ok ? (first.at(-1) as { value: { id: string } }).value.id : '0' });
    expect(first).toHaveLength(2);
    expect(rest).toHaveLength(3);
    expect(await store.jobList({ keyPrefix: 'page-1' })).toHaveLength(1);
    expect(await store.jobList({ states: ['failed'] })).toHaveLength(0);
  });

  it('runs random DAGs with random failures: dependencies first, nothing waits forever', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 12 }).chain((size) =>
          fc.record({
            size: fc.constant(size),
            edges: fc.array(fc.tuple(fc.integer({ min: 0, max: size - 1 }), fc.integer({ min: 0, max: size - 1 })), { maxLength: size * 2 }),
            failures: fc.array(fc.boolean(), { minLength: size * 3, maxLength: size * 3 }),
          }),
        ),
        async ({ size, edges, failures }) => {
          await truncateJobs(database);
          // Edges only from lower to higher index: a DAG by construction.
          const parents = new Map<number, Set<number>>();
          for (const [a, b] of edges) if (a < b) (parents.get(b) ?? parents.set(b, new Set()).get(b)!).add(a);
          await store.jobEnqueueMany(
            Array.from({ length: size }, (_, index) => ({
              typeId: A,
              key: `n${index}`,
              inputJson: input(),
              maxAttempts: 2,
              dependsOn: [...(parents.get(index) ?? [])].map((parent) => ({ typeId: A, key: `n${parent}` })),
            })),
          );
          let failureIndex = 0;
          for (let round = 0; round < size * 3; round++) {
            const claimed = await store.jobClaim({ workerId: 'prop', typeIds: [A], limit: 3, leaseSeconds: 30 });
            if (claimed.length === 0) break;
            for (const job of claimed) {
              const index = Number(job.key.slice(1));
              for (const parent of parents.get(index) ?? []) expect((await state(A, `n${parent}`)).state).toBe('succeeded');
              if (failures[failureIndex++ % failures.length]) {
                await store.jobFailMany([{ id: job.id, attemptToken: job.attemptToken, error: { code: 'X', message: 'random' }, retryable: true, backoffBaseMs: 0 }]);
              } else {
                await store.jobCompleteMany([{ id: job.id, attemptToken: job.attemptToken, outputJson: input(index) }]);
              }
            }
          }
          const jobs = (await store.jobList({ limit: 1000 })).map((row) => (row.ok ? row.value : undefined));
          for (const job of jobs) expect(['succeeded', 'failed', 'cancelled']).toContain(job?.state);
        },
      ),
      { numRuns: backend === 'embedded' ? 10 : 25, seed: 20261123 },
    );
  });

  it("records when the handler started: the outcome's time minus its run time, on success and on failure", async () => {
    await store.jobEnqueueMany([
      { typeId: A, key: 'timed-ok', inputJson: input() },
      { typeId: A, key: 'timed-fail', inputJson: input() },
      { typeId: A, key: 'untimed', inputJson: input() },
    ]);
    const claimed = await claimAll([A]);
    const byKey = (key: string) => claimed.find((job) => job.key === key)!;
    await store.jobCompleteMany([
      { id: byKey('timed-ok').id, attemptToken: byKey('timed-ok').attemptToken, outputJson: null, runMs: 5_000 },
      { id: byKey('untimed').id, attemptToken: byKey('untimed').attemptToken, outputJson: null },
    ]);
    await store.jobFailMany([{ id: byKey('timed-fail').id, attemptToken: byKey('timed-fail').attemptToken, error: { code: 'X', message: 'x' }, retryable: false, runMs: 3_000 }]);
    const succeeded = await state(A, 'timed-ok');
    expect(succeeded.finishedAt!.getTime() - succeeded.startedAt!.getTime()).toBe(5_000);
    const failed = await state(A, 'timed-fail');
    expect(failed.state).toBe('failed');
    expect(failed.finishedAt!.getTime() - failed.startedAt!.getTime()).toBe(3_000);
    const [attempt] = await store.jobAttemptList(failed.id);
    expect(attempt!.finishedAt.getTime() - attempt!.startedAt!.getTime()).toBe(3_000);
    // Without a run time, started_at stays the claim's time (before the completion's).
    const untimed = await state(A, 'untimed');
    expect(untimed.startedAt!.getTime()).toBeLessThanOrEqual(untimed.finishedAt!.getTime());
    expect(untimed.finishedAt!.getTime() - untimed.startedAt!.getTime()).toBeLessThan(5_000);
  });

  it('warms pooled connections up without changing anything', async () => {
    await store.jobEnqueueMany([{ typeId: A, key: 'warm', inputJson: input() }]);
    const before = await state(A, 'warm');
    const warmed = await store.connectionWarmUp({ connections: backend === 'embedded' ? 1 : 3, typeIds: [A, B], workerId: 'warm-up' });
    expect(warmed).toBe(backend === 'embedded' ? 1 : 3);
    // Each call held its own connection: the pool opened at least that many.
    expect(database.pool.totalCount).toBeGreaterThanOrEqual(warmed);
    // The queued job was not claimed (a claim of 0), nothing was enqueued or completed.
    expect(await state(A, 'warm')).toEqual(before);
    expect((await store.jobList()).map((job) => (job.ok ? job.value.key : 'unreadable'))).toEqual(['warm']);
  });
});

describe('job store on real Postgres, concurrently', () => {
  let database: TestDatabase;
  let store: JobStore;
  beforeAll(async () => {
    database = await createTestDatabase({ backend: 'postgres', poolSize: 12 });
    store = createJobStore(database);
    await store.jobTypeSync([{ id: A, name: 'test.A' }]);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('never gives the same job to two claimers and records each completion once', async () => {
    const total = 2_000;
    await store.jobEnqueueMany(Array.from({ length: total }, (_, index) => ({ typeId: A, key: `race-${index}`, inputJson: input(index) })));
    const seen = new Map<string, number>();
    const completions: string[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, claimer) => {
        for (;;) {
          const claimed = await store.jobClaim({ workerId: `c${claimer}`, typeIds: [A], limit: 25, leaseSeconds: 30 });
          if (claimed.length === 0) return;
          for (const job of claimed) seen.set(job.id, (seen.get(job.id) ?? 0) + 1);
          // Every claimer also tries to complete its batch twice: the second must be stale.
          const batch = claimed.map((job) => ({ id: job.id, attemptToken: job.attemptToken, outputJson: 'true' }));
          const [first, second] = await Promise.all([store.jobCompleteMany(batch), store.jobCompleteMany(batch)]);
          completions.push(...first.completed, ...second.completed);
          expect(first.completed.length + second.completed.length).toBe(batch.length);
        }
      }),
    );
    expect(seen.size).toBe(total);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    expect(new Set(completions).size).toBe(total);
    expect(completions).toHaveLength(total);
  });

  it('completes two batches that share fan-in dependents at once: every dependent readied exactly once', async () => {
    const count = 200;
    const parents = Array.from({ length: count }, (_, index) => [
      { typeId: A, key: `left-${index}`, inputJson: input() },
      { typeId: A, key: `right-${index}`, inputJson: input() },
    ]).flat();
    await store.jobEnqueueMany(parents);
    await store.jobEnqueueMany(
      Array.from({ length: count }, (_, index) => ({
        typeId: A,
        key: `join-${index}`,
        inputJson: input(),
        dependsOn: [{ typeId: A, key: `left-${index}` }, { typeId: A, key: `right-${index}` }],
      })),
    );
    const claimed = await store.jobClaim({ workerId: 'w', typeIds: [A], limit: 2 * count, leaseSeconds: 30 });
    expect(claimed).toHaveLength(2 * count);
    const batch = (side: string) =>
      claimed.filter((job) => job.key.startsWith(side)).map((job) => ({ id: job.id, attemptToken: job.attemptToken, outputJson: null }));
    // In opposite orders, at the same time: both decrement the same dependents.
    const [left, right] = await Promise.all([store.jobCompleteMany(batch('left-').reverse()), store.jobCompleteMany(batch('right-'))]);
    expect(left.completed).toHaveLength(count);
    expect(right.completed).toHaveLength(count);
    const { rows } = await sql<{ state: string; pending: number; n: number }>`
      select state::text, pending_dependencies as pending, count(*)::int as n from ${sql.table(`${database.schema}.job_snapshots`)}
      where key like 'join-%' group by state, pending_dependencies`.execute(database.db);
    expect(rows).toEqual([{ state: 'queued', pending: 0, n: count }]);
  });

  it('enqueues overlapping batches at once: every pair created once, both calls agree on its id', async () => {
    const size = 1_000;
    const batch = (from: number) => Array.from({ length: size }, (_, index) => ({ typeId: A, key: `overlap-${from + index}`, inputJson: input(from + index) }));
    // Two stores: each starts by offering its batch as all new (migration 0009).
    const other = createJobStore(database);
    const [left, right] = await Promise.all([store.jobEnqueueMany(batch(0)), other.jobEnqueueMany(batch(size / 2))]);
    const byKey = new Map<string, { id: string; created: boolean }[]>();
    for (const result of [...left, ...right]) byKey.set(result.key, [...(byKey.get(result.key) ?? []), result]);
    expect(byKey.size).toBe(size * 1.5);
    for (const [key, results] of byKey) {
      expect(results.filter((result) => result.created), key).toHaveLength(1);
      expect(new Set(results.map((result) => result.id)).size, key).toBe(1);
    }
    // One record and one queue row per pair.
    const { rows } = await sql<{ jobs: number; queued: number }>`
      select (select count(*)::int from ${sql.table(`${database.schema}.jobs`)} where key like 'overlap-%') as jobs,
             (select count(*)::int from ${sql.table(`${database.schema}.jobs`)} j
                join ${sql.table(`${database.schema}.job_queue`)} q on q.job_id = j.id
              where j.key like 'overlap-%') as queued`.execute(database.db);
    expect(rows[0]).toEqual({ jobs: size * 1.5, queued: size * 1.5 });
  });

  it('wakes listeners with one notification per transaction, not per job', async () => {
    const client = await database.pool.connect();
    const received: string[] = [];
    try {
      client.on('notification', (message) => received.push(message.channel));
      await client.query(`listen "${store.jobsChannel}"`);
      await store.jobEnqueueMany(Array.from({ length: 50 }, (_, index) => ({ typeId: A, key: `notify-${index}`, inputJson: input() })));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(received).toEqual([store.jobsChannel]);
    } finally {
      await client.query('unlisten *');
      client.release();
    }
  });

  it('keeps other errors as errors: a JobbyError carries its code', () => {
    expect(JobbyError.isInstance(new JobbyError('INTERNAL', 'x'))).toBe(true);
  });
});
