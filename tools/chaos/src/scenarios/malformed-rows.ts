import { createWorker, jobStoreOf, openDatabase, syncJobTypes } from '@jobby/core';
import { queryRetrying } from '../audit.js';
import { drain } from '../checker.js';
import { chaosRegistry, chaosTypeIds } from '../plugin.js';
import { coreFigures, Run, silentLogger, type ScenarioOptions, type Scenario } from '../scenario.js';

/**
 * malformed-rows: bad rows inserted with raw SQL among good ones. A job written by hand is a
 * record in `jobs` plus its queue row in `job_queue` (one statement here); what can be wrong:
 * - unknown type id: refused at INSERT by the job-type trigger, jobs_require_types (23503);
 * - null input: refused at INSERT by NOT NULL (23502);
 * - an empty key or one over 512 characters: refused by the record's check (23514);
 * - a queue row with no run-at: refused by NOT NULL (23502);
 *   (these kinds therefore cannot exist in the tables: the refusals are the outcome)
 * - schema-invalid input (wrong types, missing or extra fields, JSON null, arrays, scalars): must
 *   fail alone, first attempt, with PAYLOAD_INVALID;
 * - oversize input (over the worker's maxPayloadBytes; input_bytes left at 0, as a script would):
 *   must fail alone with PAYLOAD_TOO_LARGE;
 * - a queue row whose record is missing (no foreign key joins them): the claim takes and drops it
 *   without a trace (the job does not exist for the product); it must not stall the good rows
 *   behind it. Reported: how many were still queued once the good rows were done (a claim that
 *   took only orphans returns nothing, and the worker waits for its next poll or notification).
 * Every good row must complete; the throughput of good rows is compared with a run without bad rows.
 * Rows that contradict each other (a job both queued and running) are scenario conflicting-rows.
 */

const maxPayloadBytes = 16 * 1024;

const schemaInvalid = [
  `{"ms":"fast"}`,
  `{"ms":-5}`,
  `{}`,
  `{"ms":1,"extra":true}`,
  `"a string"`,
  `[1,2,3]`,
  `42`,
  `null`,
  `{"ms":1.5}`,
  `{"ms":1,"failTimes":"x"}`,
  `{"ms":1,"pad":{"nested":["<script>alert(1)</script>"]}}`,
  `{"ms":"'; drop table jobs; --"}`,
];

interface Row {
  key: string;
  input: string;
  kind: 'good' | 'schema-invalid' | 'oversize';
}

async function phase(name: string, options: ScenarioOptions, good: number, bad: number) {
  const run = await Run.start(name, options, 12);
  const database = await openDatabase({ connectionString: run.connectionString, schema: run.schema, poolSize: 4, applicationName: 'chaos-claimer' });
  const worker = createWorker({ database, registry: chaosRegistry, logger: silentLogger, concurrency: 20, leaseSeconds: 30, sweepIntervalMs: 1_000, maxPayloadBytes });
  try {
    const rows: Row[] = Array.from({ length: good }, (_, index) => ({ key: `good-${index}`, input: `{"ms":0}`, kind: 'good' }));
    const perKind = bad / 4;
    for (let index = 0; index < perKind; index++) {
      rows.push({ key: `invalid-${index}`, input: schemaInvalid[index % schemaInvalid.length]!, kind: 'schema-invalid' });
      rows.push({ key: `oversize-${index}`, input: JSON.stringify({ ms: 0, pad: 'x'.repeat(maxPayloadBytes + run.random.int(1, 4_096)) }), kind: 'oversize' });
    }
    run.random.shuffle(rows);
    await syncJobTypes(jobStoreOf(run.client), chaosRegistry);
    // Raw SQL, as a careless script or another tool would write them: the record and its queue
    // row, input_bytes left at its default.
    for (let start = 0; start < rows.length; start += 1_000) {
      const chunk = rows.slice(start, start + 1_000);
      const { rows: inserted } = await queryRetrying<{ id: string; key: string }>(
        run.chaos.pool,
        `with record as (
           insert into ${run.schema}.jobs (type_id, key, input, max_attempts)
           select $1, k, i::jsonb, 3 from unnest($2::text[], $3::text[]) as t(k, i) returning id, type_id, key, priority, run_at
         ),
         queued as (
           insert into ${run.schema}.job_queue (job_id, type_id, priority, run_at) select id, type_id, priority, run_at from record
         )
         select id, key from record`,
        [chaosTypeIds.Work, chunk.map((row) => row.key), chunk.map((row) => row.input)],
      );
      const kinds = new Map(chunk.map((row) => [row.key, row.kind]));
      for (const row of inserted) run.enqueued.push({ id: String(row.id), key: row.key, kind: kinds.get(row.key)!, maxAttempts: 3 });
    }
    // Queue rows without a record, far above the ids jobs get, at the head of the queue (run-at a
    // minute ago): claims take them first.
    const orphanIds = Array.from({ length: bad > 0 ? perKind : 0 }, (_, index) => String(1_000_000_000 + index));
    await queryRetrying(
      run.chaos.pool,
      `insert into ${run.schema}.job_queue (job_id, type_id, priority, run_at) select id, $1, 0, now() - interval '1 minute' from unnest($2::bigint[]) as t(id)`,
      [chaosTypeIds.Work, orphanIds],
    );
    // Rows that the schema refuses.
    const refusals: Record<string, number> = {};
    const attempts = [
      ...Array.from({ length: perKind }, (_, index) => ({ kind: 'unknown-type-id', table: 'jobs', typeId: 999_000 + index, key: `unknown-type-id-${index}`, input: `{"ms":0}` as string | null })),
      ...Array.from({ length: perKind }, (_, index) => ({ kind: 'null-input', table: 'jobs', typeId: chaosTypeIds.Work, key: `null-input-${index}`, input: null as string | null })),
      ...Array.from({ length: perKind }, (_, index) => ({ kind: 'bad-key', table: 'jobs', typeId: chaosTypeIds.Work, key: index % 2 ? '' : 'k'.repeat(513 + index), input: `{"ms":0}` as string | null })),
      ...Array.from({ length: perKind }, (_, index) => ({ kind: 'queue-null-run-at', table: 'job_queue', typeId: chaosTypeIds.Work, key: `queue-null-run-at-${index}`, input: `{"ms":0}` as string | null })),
    ];
    let accepted = 0;
    for (const attempt of attempts) {
      try {
        if (attempt.table === 'jobs') {
          await run.chaos.pool.query(`insert into ${run.schema}.jobs (type_id, key, input) values ($1, $2, $3::jsonb)`, [attempt.typeId, attempt.key, attempt.input]);
        } else {
          // The record is fine; its queue row is not (one statement: both or neither).
          await run.chaos.pool.query(
            `with record as (insert into ${run.schema}.jobs (type_id, key, input) values ($1, $2, $3::jsonb) returning id, type_id)
             insert into ${run.schema}.job_queue (job_id, type_id, priority, run_at) select id, type_id, 0, null from record`,
            [attempt.typeId, attempt.key, attempt.input],
          );
        }
        accepted++;
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'unknown';
        refusals[`${attempt.kind}:${code}`] = (refusals[`${attempt.kind}:${code}`] ?? 0) + 1;
      }
    }
    const started = Date.now();
    await worker.start();
    const open = await drain(run.chaos.pool, run.schema, run.enqueued.filter((job) => job.kind === 'good').map((job) => job.id), 300_000);
    const goodPerSecond = Math.round((good / (Date.now() - started)) * 1000);
    // The orphans are not jobs: counted, then removed, so that the checker's consistency count
    // (hot rows without a record) stays strict for everything else.
    const { rows: left } = await queryRetrying<{ job_id: string }>(run.chaos.pool, `delete from ${run.schema}.job_queue where job_id = any($1::bigint[]) returning job_id`, [orphanIds]);
    const orphanQueueRowsLeft = left.length;
    const figures = await run.finish(60_000);
    const { rows: codes } = await queryRetrying<{ kind: string; state: string; code: string | null; attempts: number; n: string }>(
      run.chaos.pool,
      `select e.kind, j.state, j.last_error->>'code' as code, j.attempts, count(*) as n
       from ${run.schema}.chaos_enqueued e join ${run.schema}.chaos_jobs j on j.id = e.job_id group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
    );
    const outcomes: Record<string, number> = {};
    for (const row of codes) outcomes[`${row.kind}:${row.state}:${row.code ?? '-'}:attempt${row.attempts}`] = Number(row.n);
    return { run, figures, outcomes, refusals, accepted, goodPerSecond, open, perKind, orphanQueueRows: orphanIds.length, orphanQueueRowsLeft };
  } finally {
    await worker.stop({ graceMs: 5_000 }).catch(() => {});
    await database.close().catch(() => {});
  }
}

export const malformedRows: Scenario = async (options) => {
  const good = options.short ? 2_000 : 10_000;
  const bad = options.short ? 200 : 1_000;
  const baseline = await phase('malformed-baseline', options, good, 0);
  await baseline.run.close();
  const mixed = await phase('malformed-rows', options, good, bad);
  const { run, figures, outcomes, refusals, accepted, perKind, orphanQueueRows, orphanQueueRowsLeft } = mixed;
  try {
    const expect = (key: string, count: number) => run.expect((outcomes[key] ?? 0) === count, `expected ${count} × ${key}, got ${outcomes[key] ?? 0} (${JSON.stringify(outcomes)})`);
    expect('good:succeeded:-:attempt1', good);
    expect('schema-invalid:failed:PAYLOAD_INVALID:attempt1', perKind);
    expect('oversize:failed:PAYLOAD_TOO_LARGE:attempt1', perKind);
    run.expect(accepted === 0, `${accepted} rows with an unknown type id, a null input, a bad key or a null run-at were accepted by the database`);
    run.expect(refusals['unknown-type-id:23503'] === perKind, `unknown type ids not all refused by the job-type trigger: ${JSON.stringify(refusals)}`);
    run.expect(refusals['null-input:23502'] === perKind, `null inputs not all refused by NOT NULL: ${JSON.stringify(refusals)}`);
    run.expect(refusals['bad-key:23514'] === perKind, `empty or over-long keys not all refused by the key check: ${JSON.stringify(refusals)}`);
    run.expect(refusals['queue-null-run-at:23502'] === perKind, `queue rows without run-at not all refused by NOT NULL: ${JSON.stringify(refusals)}`);
    run.expect(figures.executions === good, `${figures.executions} handler executions for ${good} good rows (bad rows must never reach a handler)`);
    return run.result({
      goodRows: good,
      badRows: bad,
      outcomes,
      refusedAtInsert: refusals,
      orphanQueueRows,
      orphanQueueRowsLeft,
      ...coreFigures(figures),
      baselineGoodPerSecond: baseline.goodPerSecond,
      mixedGoodPerSecond: mixed.goodPerSecond,
      throughputDropPercent: Math.round((1 - mixed.goodPerSecond / baseline.goodPerSecond) * 1000) / 10,
    });
  } finally {
    await run.close();
  }
};
