/**
 * One fixture workspace per verification error (test-fixtures/errors/<name>), each asserting the
 * exact diagnostics: code, message naming both sides with package and file:line, and location.
 * A failing run writes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCodegen, runCodegenCli } from '../index.js';
import { copyFixture, type TemporaryProject } from '../testing/fixture.js';

const file = 'plugins/shop/src/index.ts';
const projects: TemporaryProject[] = [];
afterEach(() => {
  for (const project of projects.splice(0)) project.remove();
});

async function diagnosticsOf(fixture: string) {
  const project = copyFixture(`errors/${fixture}`);
  projects.push(project);
  const result = await runCodegen({ rootDir: project.directory });
  expect(result.ok).toBe(false);
  expect(result.written).toEqual([]);
  expect(project.exists('generated/jobby/registry.ts')).toBe(false);
  return result.diagnostics;
}

describe('verification errors, one fixture each', () => {
  it('refuses a copied plugin directory (same plugin name and enum, other package), naming both directories', async () => {
    expect(await diagnosticsOf('duplicate-plugin-name')).toEqual([
      {
        code: 'DUPLICATE_PLUGIN_NAME',
        message:
          'plugin name "shop" is declared twice: by @fixture/shop in plugins/shop (plugins/shop/src/index.ts:27) and by @fixture/shop-copy in plugins/shop-copy (plugins/shop-copy/src/index.ts:27); plugin names must be unique',
        file: 'plugins/shop-copy/src/index.ts',
        line: 27,
      },
    ]);
  });

  it('reports duplicate enum values with both members', async () => {
    expect(await diagnosticsOf('duplicate-enum-value')).toEqual([
      {
        code: 'DUPLICATE_ENUM_VALUE',
        message: `shop.Order (${file}:4) and shop.Refund (${file}:5) share the value 0 in enum ShopJob (${file}:3), @fixture/shop`,
        file,
        line: 5,
      },
    ]);
  });

  it('reports an invalid cron expression, time zone or catch-up of a schedule at its file:line (issue 19)', async () => {
    expect(await diagnosticsOf('schedule-invalid')).toEqual([
      {
        code: 'SCHEDULE_INVALID',
        message: `schedule "hourly" of shop.Report (${file}:29, @fixture/shop): cron "0 61 * * *" is invalid: CronPattern: Invalid value for hour: 61 (5 fields, or 6 with a leading seconds field)`,
        file,
        line: 31,
      },
      {
        code: 'SCHEDULE_INVALID',
        message: `schedule "mars" of shop.Report (${file}:34, @fixture/shop): time zone "Mars/Olympus" is not an IANA time zone (such as "UTC" or "Europe/Berlin")`,
        file,
        line: 34,
      },
      {
        code: 'SCHEDULE_INVALID',
        message: `schedule "sweep" of shop.Order (${file}:35, @fixture/shop): catchUp must be 'none', 'last' or { upTo: N } with N from 1 to 1000`,
        file,
        line: 35,
      },
    ]);
  });

  it('lists the schedules declared with literal options in the generated registry', async () => {
    const project = copyFixture('errors/schedule-invalid');
    projects.push(project);
    const source = project.read(file).split('\n');
    project.write(file, source.filter((_, index) => index + 1 < 29 || index + 1 > 35).join('\n'));
    const result = await runCodegen({ rootDir: project.directory });
    expect(result.diagnostics).toEqual([]);
    expect(project.read('generated/jobby/registry.ts')).toMatch(
      /\n {6}schedules: \[\n {8}\{ type: 'Report', name: 'default', cron: '0 7 \* \* 1', timezone: 'Europe\/Berlin', catchUp: 'last' \},\n {6}\],\n/,
    );
  });

  it('reports a limit out of range, a rate without its interval and a type limited twice at its file:line (issue 19)', async () => {
    const limitOf = (type: string, line: number) => `limit of shop.${type} (${file}:${line}, @fixture/shop)`;
    expect(await diagnosticsOf('limit-invalid')).toEqual([
      { code: 'LIMIT_INVALID', message: `${limitOf('Order', 29)}: concurrency must be an integer from 1 to 1,000,000 running jobs, got 0`, file, line: 30 },
      { code: 'LIMIT_INVALID', message: `${limitOf('Order', 29)}: rate.intervalMs must be an integer from 1 to 86,400,000 milliseconds, got 90000000`, file, line: 31 },
      { code: 'LIMIT_INVALID', message: `${limitOf('Order', 29)}: group.concurrency must be an integer from 1 to 1,000,000 running jobs per group key, got 1.5`, file, line: 32 },
      { code: 'LIMIT_INVALID', message: `${limitOf('Report', 34)}: rate needs both limit and intervalMs`, file, line: 34 },
      { code: 'LIMIT_INVALID', message: `${limitOf('Report', 34)}: shop.Report is already limited at ${file}:28; give all its limits in one limit() call`, file, line: 34 },
    ]);
  });

  it('lists the limits declared with literal options in the generated registry', async () => {
    const project = copyFixture('errors/limit-invalid');
    projects.push(project);
    const source = project.read(file).split('\n');
    project.write(file, source.filter((_, index) => index + 1 < 29 || index + 1 > 34).join('\n'));
    const result = await runCodegen({ rootDir: project.directory });
    expect(result.diagnostics).toEqual([]);
    expect(project.read('generated/jobby/registry.ts')).toContain("\n      limits: [\n        { type: 'Report', concurrency: 2, rate: { limit: 10, intervalMs: 1000 } },\n      ],\n");
  });

  it('reports a member without an explicit value', async () => {
    expect(await diagnosticsOf('enum-value-missing')).toEqual([
      {
        code: 'ENUM_VALUE_MISSING',
        message: `shop.Refund (${file}:5, @fixture/shop) has no explicit value; give every member of enum ShopJob (${file}:3) an explicit numeric value 0–999`,
        file,
        line: 5,
      },
    ]);
  });

  it('reports a computed value', async () => {
    expect(await diagnosticsOf('enum-value-not-literal')).toEqual([
      {
        code: 'ENUM_VALUE_NOT_LITERAL',
        message: `shop.Refund = 2 * 1 (${file}:5, @fixture/shop) is not a numeric literal; members of enum ShopJob (${file}:3) need literal values 0–999`,
        file,
        line: 5,
      },
    ]);
  });

  it('reports a value out of 0–999', async () => {
    expect(await diagnosticsOf('enum-value-out-of-range')).toEqual([
      {
        code: 'ENUM_VALUE_OUT_OF_RANGE',
        message: `shop.Refund = 1000 (${file}:5, @fixture/shop) is out of range; local ids of enum ShopJob (${file}:3) are integers 0–999`,
        file,
        line: 5,
      },
    ]);
  });

  it('reports job names that differ only in case', async () => {
    expect(await diagnosticsOf('duplicate-job-name')).toEqual([
      {
        code: 'DUPLICATE_JOB_NAME',
        message: `shop.Order (${file}:4) and shop.order (${file}:5) have the same job name ignoring case, @fixture/shop; job names must differ by more than case`,
        file,
        line: 5,
      },
    ]);
  });

  it('reports an id that changed against the lock, naming the lock line', async () => {
    expect(await diagnosticsOf('id-changed')).toEqual([
      {
        code: 'ID_CHANGED',
        message: `shop.Refund has id 1005 (${file}:5, @fixture/shop) but jobby.lock.json:9 pins it to 1001; restore its enum value 1 — ids, once given, never change`,
        file,
        line: 5,
      },
    ]);
  });

  it('reports a tombstoned id given to another job type', async () => {
    expect(await diagnosticsOf('tombstone-reused')).toEqual([
      {
        code: 'TOMBSTONE_REUSED',
        message: `shop.Chargeback takes id 1002 (${file}:6, @fixture/shop), which belonged to the removed job type shop.Cancel (jobby.lock.json:12); give shop.Chargeback an enum value never used before`,
        file,
        line: 6,
      },
    ]);
  });

  it('reports a plugin without a module class', async () => {
    expect(await diagnosticsOf('module-missing')).toEqual([
      {
        code: 'MODULE_MISSING',
        message: `plugin "shop" (shopPlugin, ${file}:16, @fixture/shop) has no module class; pass definePlugin({ jobs, module: YourModule })`,
        file,
        line: 16,
      },
    ]);
  });

  it('reports a module class that does not implement the module interface', async () => {
    expect(await diagnosticsOf('module-invalid')).toEqual([
      {
        code: 'MODULE_INVALID',
        message: `module class ShopModule (${file}:16) of plugin "shop" (shopPlugin, ${file}:21, @fixture/shop) does not implement the module interface: it lacks a static initialize(context) method and an instance method jobs(registry, mode)`,
        file,
        line: 16,
      },
    ]);
  });

  it('reports every part of a payload that cannot travel as JSON', async () => {
    const at = `(${file}:23, @fixture/shop) cannot travel as JSON:`;
    expect((await diagnosticsOf('payload-not-json')).map((diagnostic) => [diagnostic.code, diagnostic.message])).toEqual([
      ['PAYLOAD_NOT_JSON', `shop.Order input ${at} input.customer: Customer is an instance of class Customer, which JSON turns into a plain object (declared at ${file}:9)`],
      ['PAYLOAD_NOT_JSON', `shop.Order input ${at} input.onDone: () => void is a function, which JSON drops (declared at ${file}:12)`],
      ['PAYLOAD_NOT_JSON', `shop.Order input ${at} input.placedAt: Date is a Date, which does not survive JSON.stringify → JSON.parse (declared at ${file}:8)`],
      ['PAYLOAD_NOT_JSON', `shop.Order input ${at} input.tag: symbol is a symbol, which JSON drops (declared at ${file}:11)`],
      ['PAYLOAD_NOT_JSON', `shop.Order input ${at} input.total: bigint is a bigint, which JSON.stringify rejects (declared at ${file}:10)`],
      ['PAYLOAD_NOT_JSON', `shop.Order output ${at} output.receipt: Map<string, number> is a Map, which does not survive JSON.stringify → JSON.parse (declared at ${file}:23)`],
    ]);
  });

  it('exits 1 from the command line and prints every problem', async () => {
    const project = copyFixture('errors/payload-not-json');
    projects.push(project);
    let stderr = '';
    const code = await runCodegenCli([], { cwd: project.directory, stdout: () => {}, stderr: (text) => (stderr += text) });
    expect(code).toBe(1);
    expect(stderr.match(/^error PAYLOAD_NOT_JSON: /gm)).toHaveLength(6);
    expect(stderr).toContain('jobby codegen: 6 problem(s)');
  });
});
