import { assertGroupable, syncJobTypes } from '@jobby/core';
import type { JobbyRegistry, RegisteredJobType } from '@jobby/core';
import { createJobStore, noControls, type JobTypeControlChange, type JobTypeControls, type JobTypeLimits, type JobTypeLimitSource, type JobTypeRateLimit } from '@jobby/core/store';
import { CliError } from '../cli-error.js';
import { withDatabase } from '../database.js';
import { integerOption, jobTypeArgument } from '../options.js';
import type { CommandContext } from '../program.js';
import { loadRegistry } from '../project.js';

/**
 * `jobby types list|pause|resume|limit`: flow control per job type (issue 19), declared in code
 * (`JobRegistry.limit`) or changed at run time (which wins until `--clear`), and enforced by the
 * claim in Postgres, so it holds across every worker on every machine.
 */

export interface TypeControlJson {
  type: string;
  id: number;
  paused: boolean;
  /** The cluster-wide limit on running jobs in force; null: none. */
  concurrency: number | null;
  /** At most `limit` starts per `intervalMs` across all workers; null: none. */
  rate: JobTypeRateLimit | null;
  /** At most this many running per group key; null: none. */
  groupConcurrency: number | null;
  /** The limits the code declares (`JobRegistry.limit`). */
  declared: JobTypeLimits;
  /**
   * Where `declared` was read: `workers` (written by the last worker started: in force unless
   * overridden), `registry` (codegen read it in the sources; no worker has written it yet), or null.
   */
  declaredFrom: 'workers' | 'registry' | null;
  /** Where each limit in force comes from: `run-time` (wins until cleared), `code`, or null (none). */
  sources: { concurrency: JobTypeLimitSource | null; rate: JobTypeLimitSource | null; groupConcurrency: JobTypeLimitSource | null };
}

/** `<concurrency>` of `jobby types limit`: 1–1,000,000, or `none`. */
export function concurrencyArgument(value: string): number | null {
  return value === 'none' ? null : integerOption('<concurrency>', value, 1, 1_000_000);
}

const intervalUnits: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `--rate` of `jobby types limit`: `<limit>/<interval>` (`20/1s`, `500/250ms`, `1000/1h`), or `none`. */
export function rateOption(value: string): JobTypeRateLimit | null {
  if (value === 'none') return null;
  const match = /^(\d+)\/(\d+)(ms|s|m|h)$/.exec(value);
  const limit = match ? Number(match[1]) : Number.NaN;
  const intervalMs = match ? Number(match[2]) * intervalUnits[match[3]!]! : Number.NaN;
  if (!match || limit < 1 || limit > 1_000_000 || intervalMs < 1 || intervalMs > 86_400_000) {
    throw new CliError(`--rate must be <limit>/<interval>: a limit from 1 to 1000000 starts per an interval from 1ms to 24h (ms, s, m or h), e.g. 20/1s, or "none"; got ${JSON.stringify(value)}`);
  }
  return { limit, intervalMs };
}

function describeRate(rate: JobTypeRateLimit): string {
  const interval = rate.intervalMs % 1_000 === 0 ? `${rate.intervalMs / 1_000} s` : `${rate.intervalMs} ms`;
  return `at most ${rate.limit} starts per ${interval}`;
}

/** ` (run time; code: 4)`, ` (code)`, or nothing when no code declares the limit. */
function origin(source: JobTypeLimitSource | null, declared: string | null): string {
  if (source === 'run-time') return declared === null ? '' : ` (run time; code: ${declared})`;
  return source === 'code' ? ' (code)' : '';
}

function line(control: TypeControlJson): string {
  const { declared, sources } = control;
  const state = [control.paused ? 'paused' : 'running'];
  state.push(`${control.concurrency === null ? 'no limit' : `at most ${control.concurrency} at once`}${origin(sources.concurrency, declared.concurrency === null ? null : String(declared.concurrency))}`);
  if (control.rate || sources.rate) state.push(`${control.rate ? describeRate(control.rate) : 'no rate limit'}${origin(sources.rate, declared.rate && `${declared.rate.limit}/${declared.rate.intervalMs}ms`)}`);
  if (control.groupConcurrency !== null || sources.groupConcurrency) {
    const group = control.groupConcurrency === null ? 'no limit per group' : `at most ${control.groupConcurrency} at once per group key`;
    state.push(`${group}${origin(sources.groupConcurrency, declared.groupConcurrency === null ? null : String(declared.groupConcurrency))}`);
  }
  return `${control.type}: ${state.join(', ')}`;
}

/** The controls of `type` as JSON; the registry's limits stand for the declared ones no worker has written yet. */
function toJson(type: RegisteredJobType, controls: JobTypeControls): TypeControlJson {
  const { typeId: _typeId, ...rest } = controls;
  const fromWorkers = Object.values(controls.declared).some((value) => value !== null);
  const listed = type.plugin.limits?.find((limit) => limit.type === type.name);
  const declared = fromWorkers || !listed ? controls.declared : { concurrency: listed.concurrency ?? null, rate: listed.rate ?? null, groupConcurrency: listed.groupConcurrency ?? null };
  return { type: type.fullName, id: type.id, ...rest, declared, declaredFrom: fromWorkers ? 'workers' : listed ? 'registry' : null };
}

function requireType(registry: JobbyRegistry, type: string): RegisteredJobType {
  const registered = registry.byName(type);
  if (!registered) throw new CliError(`<type>: unknown job type "${type}" (known: ${registry.jobTypes.map((known) => known.fullName).join(', ') || 'none'})`);
  return registered;
}

export async function typesListAction(flags: { json?: boolean }, context: CommandContext): Promise<void> {
  const registry = await loadRegistry(context.io.cwd);
  const controls = await withDatabase(async (database) => createJobStore(database).jobTypeControlList());
  const byId = new Map(controls.map((control) => [control.typeId, control]));
  const rows: TypeControlJson[] = registry.jobTypes.map((type) => toJson(type, byId.get(type.id) ?? noControls(type.id)));
  context.io.stdout(flags.json ? `${JSON.stringify(rows, null, 2)}\n` : rows.length === 0 ? 'no job types\n' : `${rows.map(line).join('\n')}\n`);
}

export async function typesControlAction(type: string, change: JobTypeControlChange, flags: { json?: boolean }, context: CommandContext): Promise<void> {
  jobTypeArgument('<type>', type);
  const registry = await loadRegistry(context.io.cwd);
  const registered = requireType(registry, type);
  if (change.groupConcurrency !== undefined && change.groupConcurrency !== null) assertGroupable(registered);
  const controls: JobTypeControls = await withDatabase(async (database) => {
    const store = createJobStore(database, { describeType: (id) => registry.byId(id)?.fullName ?? `type ${id}` });
    // The registry's types are registered first (as a submit does): a type can be paused before
    // any worker has run.
    await syncJobTypes(store, registry);
    return store.jobTypeControlSet(registered.id, change);
  });
  const result = toJson(registered, controls);
  context.io.stdout(flags.json ? `${JSON.stringify(result)}\n` : `${line(result)}\n`);
}

/**
 * `jobby types limit <type> [concurrency] [--rate <limit/interval>] [--group <N>] [--clear]`: at
 * least one. `--clear` drops the run-time limits first (the code's are in force again).
 */
export async function typesLimitAction(
  type: string,
  concurrency: string | undefined,
  flags: { json?: boolean; rate?: string; group?: string; clear?: boolean },
  context: CommandContext,
): Promise<void> {
  if (concurrency === undefined && flags.rate === undefined && flags.group === undefined && !flags.clear) {
    throw new CliError(
      'give a limit: <concurrency> (running jobs at once), --rate <limit/interval> (starts per interval), --group <N> (running jobs per group key), or --clear (back to the limits declared in code); "none" removes one',
    );
  }
  const change: JobTypeControlChange = {};
  if (flags.clear) change.clearLimits = true;
  if (concurrency !== undefined) change.concurrency = concurrencyArgument(concurrency);
  if (flags.rate !== undefined) change.rate = rateOption(flags.rate);
  if (flags.group !== undefined) change.groupConcurrency = flags.group === 'none' ? null : integerOption('--group', flags.group, 1, 1_000_000);
  await typesControlAction(type, change, flags, context);
}
