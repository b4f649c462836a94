import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createJobAdmin } from '../../admin/job-admin.js';
import { isJobbyError } from '../../errors.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { until } from '../../testing/until.js';
import { createJobbyClient, jobStoreOf, type JobbyClient } from '../client.js';
import { demoControl, DemoJob, demoRegistry } from '../../testing/demo-plugin.js';
import { createWorker, type Worker } from './worker.js';

/** Schedules (issue 19) with real workers on real Postgres. */
describe('schedules', () => {
  let database: TestDatabase;
  let client: JobbyClient;
  const workers: Worker[] = [];
  const startWorker = async () => {
    const worker = createWorker({ database, registry: demoRegistry, logger: pino({ level: 'silent' }), concurrency: 5, pollIntervalMs: 100 });
    workers.push(worker);
    await worker.start();
    return worker;
  };
  const jobsOf = async (prefix: string) =>
    (
      await sql<{ key: string; run_at: Date; created_at: Date }>`
        select j.key, j.run_at, j.created_at from ${sql.table(`${database.schema}.jobs`)} j
         where j.type_id = ${demoRegistry.byName('demo.Produce')!.id} and j.key like ${`${prefix}@%`} order by j.key`.execute(database.db)
    ).rows;

  beforeAll(async () => {
    database = await createTestDatabase({ backend: 'postgres' });
    client = createJobbyClient({ database, registry: demoRegistry });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop({ graceMs: 100 })));
    demoControl.schedules = undefined;
  });
  afterAll(async () => {
    await database?.close();
  });

  it('enqueues one job per slot ahead of time, keyed by the slot, from two workers', async () => {
    demoControl.schedules = (registry) => registry.schedule(DemoJob.Produce, { name: 'tick', cron: '* * * * * *', input: { value: 2 } });
    const startedAt = Date.now();
    await Promise.all([startWorker(), startWorker()]);
    const jobs = await until('slots enqueued ahead', async () => {
      const found = await jobsOf('tick');
      return found.length >= 5 && found;
    }, 10_000);
    const slots = jobs.map((job) => new Date(job.key.slice('tick@'.length)).getTime());
    // Consecutive seconds from the start on, each once, each job to run at its own slot.
    expect(slots[0]! - startedAt).toBeLessThan(3_000);
    slots.forEach((slot, index) => index > 0 && expect(slot - slots[index - 1]!).toBe(1_000));
    jobs.forEach((job) => expect(job.run_at.getTime()).toBe(new Date(job.key.slice('tick@'.length)).getTime()));
    // Enqueued ahead: slots in the future already wait in the queue.
    expect(slots.at(-1)!).toBeGreaterThan(Date.now());
    const first = await until('the first slot to run', async () => {
      const job = await client.get('demo.Produce' as never, jobs[0]!.key);
      return job?.state === 'succeeded' && job;
    }, 10_000);
    expect(first.output).toEqual({ doubled: 4 });
    const [record] = await jobStoreOf(client).jobScheduleList();
    expect(record).toMatchObject({ name: 'tick', cron: '* * * * * *', timezone: 'UTC', catchUp: 'last', removedAt: null });
    expect(record!.lastFireAt!.getTime()).toBeGreaterThanOrEqual(slots.at(-1)!);
    const [listed] = await createJobAdmin(database).scheduleList();
    // The typed client reads the same (next fire times aside: each read computes its own).
    const withoutNext = ({ nextFireAt: _next, ...rest }: { nextFireAt: Date | null }) => rest;
    expect((await client.schedules()).map(withoutNext)).toEqual([withoutNext(listed!)]);
    expect(listed).toMatchObject({ type: 'demo.Produce', name: 'tick', cron: '* * * * * *', catchUp: 'last', state: 'active', removedAt: null });
    expect(listed!.nextFireAt!.getTime() % 1_000).toBe(0);
    expect(Math.abs(listed!.nextFireAt!.getTime() - Date.now())).toBeLessThan(2_000);
  });

  it('applies each catch-up policy to the slots missed while no worker ran', async () => {
    const typeId = demoRegistry.byName('demo.Produce')!.id;
    const { rows } = await sql<{ now: Date }>`select now() as now`.execute(database.db);
    // Ten seconds of downtime: the schedules' slots were decided up to 10.5 s ago.
    const missedSince = new Date(rows[0]!.now.getTime() - 10_500);
    for (const [name, catchUp] of [['none', 'none'], ['last', 'last'], ['three', 'up-to-3']]) {
      await sql`insert into ${sql.table(`${database.schema}.job_schedules`)} (type_id, name, cron, timezone, catch_up, decided_until)
                values (${typeId}, ${name}, '* * * * * *', 'UTC', ${catchUp}, ${missedSince})`.execute(database.db);
    }
    demoControl.schedules = (registry) => {
      registry.schedule(DemoJob.Produce, { name: 'none', cron: '* * * * * *', input: { value: 1 }, catchUp: 'none' });
      registry.schedule(DemoJob.Produce, { name: 'last', cron: '* * * * * *', input: { value: 1 }, catchUp: 'last' });
      registry.schedule(DemoJob.Produce, { name: 'three', cron: '* * * * * *', input: { value: 1 }, catchUp: { upTo: 3 } });
    };
    await startWorker();
    await until('the three schedules to fire', async () => (await Promise.all(['none', 'last', 'three'].map(jobsOf))).every((jobs) => jobs.length > 0), 10_000);
    // A missed slot's job was enqueued after its time; every other slot's ahead of it.
    const missed = async (name: string) => (await jobsOf(name)).filter((job) => job.run_at < job.created_at).length;
    expect(await missed('none')).toBe(0);
    expect(await missed('last')).toBe(1);
    expect(await missed('three')).toBe(3);
  });

  it('stops a schedule removed from code and reports it', async () => {
    demoControl.schedules = (registry) => registry.schedule(DemoJob.Produce, { name: 'gone', cron: '* * * * * *', input: { value: 1 } });
    await startWorker();
    await until('the schedule to fire', async () => (await jobsOf('gone')).length > 0, 10_000);
    demoControl.schedules = undefined;
    const warnings: string[] = [];
    const newer = createWorker({
      database,
      registry: demoRegistry,
      logger: pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) }),
      concurrency: 1,
    });
    workers.push(newer);
    await newer.start();
    expect(warnings.join('\n')).toMatch(/schedules no longer declared in code were removed/);
    expect(warnings.join('\n')).toMatch(/"name":"gone"/);
    const record = (await jobStoreOf(client).jobScheduleList()).find((schedule) => schedule.name === 'gone');
    expect(record?.removedAt).toBeInstanceOf(Date);
    expect((await createJobAdmin(database).scheduleList()).find((schedule) => schedule.name === 'gone')).toMatchObject({ state: 'removed', nextFireAt: null });
    // The old worker still has it in memory, but the database refuses its next fire.
    const count = (await jobsOf('gone')).length;
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    expect((await jobsOf('gone')).length).toBe(count);
  }, 20_000);

  it('refuses to start with an invalid cron, time zone or input', async () => {
    for (const [declare, pattern] of [
      [() => ({ cron: '61 * * * *', input: { value: 1 } }), /cron "61 \* \* \* \*" is invalid/],
      [() => ({ cron: '* * * * *', timezone: 'Mars/Olympus', input: { value: 1 } }), /time zone "Mars\/Olympus"/],
      [() => ({ cron: '* * * * *', input: { value: 'one' } }), /schedule "default" of demo\.Produce: input of demo\.Produce does not match its schema/],
    ] as const) {
      demoControl.schedules = (registry) => registry.schedule(DemoJob.Produce, declare() as never);
      const worker = createWorker({ database, registry: demoRegistry, logger: pino({ level: 'silent' }) });
      const error = await worker.start().then(() => undefined, (caught: unknown) => caught);
      expect(isJobbyError(error, 'CONFIGURATION_INVALID')).toBe(true);
      expect((error as Error).message).toMatch(pattern);
    }
  });
});
