import { syncJobTypes } from '@jobby/core';
import { createJobStore, type JobTypeControlChange, type JobTypeControls, type JobTypeRateLimit } from '@jobby/core/store';
import { CliError } from '../cli-error.js';
import { withDatabase } from '../database.js';
import { integerOption, jobTypeArgument } from '../options.js';
import type { CommandContext } from '../program.js';
import { loadRegistry } from '../project.js';

/**
 * `jobby types list|pause|resume|limit`: flow control per job type (issue 19), changed at run time
 * and enforced by the claim in Postgres, so it holds across every worker on every machine.
 */

export interface TypeControlJson {
  type: string;
  id: number;
  paused: boolean;
  /** The cluster-wide limit on running jobs; null: none. */
  concurrency: number | null;
  /** At most `limit` starts per `intervalMs` across all workers; null: none. */
  rate: JobTypeRateLimit | null;
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

function line(control: TypeControlJson): string {
  const state = [control.paused ? 'paused' : 'running', control.concurrency === null ? 'no limit' : `at most ${control.concurrency} at once`];
  if (control.rate) state.push(describeRate(control.rate));
  return `${control.type}: ${state.join(', ')}`;
}

export async function typesListAction(flags: { json?: boolean }, context: CommandContext): Promise<void> {
  const registry = await loadRegistry(context.io.cwd);
  const controls = await withDatabase(async (database) => createJobStore(database).jobTypeControlList());
  const byId = new Map(controls.map((control) => [control.typeId, control]));
  const rows: TypeControlJson[] = registry.jobTypes.map((type) => ({
    type: type.fullName,
    id: type.id,
    paused: byId.get(type.id)?.paused ?? false,
    concurrency: byId.get(type.id)?.concurrency ?? null,
    rate: byId.get(type.id)?.rate ?? null,
  }));
  context.io.stdout(flags.json ? `${JSON.stringify(rows, null, 2)}\n` : rows.length === 0 ? 'no job types\n' : `${rows.map(line).join('\n')}\n`);
}

export async function typesControlAction(type: string, change: JobTypeControlChange, flags: { json?: boolean }, context: CommandContext): Promise<void> {
  jobTypeArgument('<type>', type);
  const registry = await loadRegistry(context.io.cwd);
  const registered = registry.byName(type);
  if (!registered) throw new CliError(`<type>: unknown job type "${type}" (known: ${registry.jobTypes.map((known) => known.fullName).join(', ') || 'none'})`);
  const controls: JobTypeControls = await withDatabase(async (database) => {
    const store = createJobStore(database, { describeType: (id) => registry.byId(id)?.fullName ?? `type ${id}` });
    // The registry's types are registered first (as a submit does): a type can be paused before
    // any worker has run.
    await syncJobTypes(store, registry);
    return store.jobTypeControlSet(registered.id, change);
  });
  const result: TypeControlJson = { type, id: registered.id, paused: controls.paused, concurrency: controls.concurrency, rate: controls.rate };
  context.io.stdout(flags.json ? `${JSON.stringify(result)}\n` : `${line(result)}\n`);
}

/** `jobby types limit <type> [concurrency] [--rate <limit/interval>]`: at least one of the two. */
export async function typesLimitAction(type: string, concurrency: string | undefined, flags: { json?: boolean; rate?: string }, context: CommandContext): Promise<void> {
  if (concurrency === undefined && flags.rate === undefined) {
    throw new CliError('give a limit: <concurrency> (running jobs at once), --rate <limit/interval> (starts per interval), or both; "none" removes one');
  }
  const change: JobTypeControlChange = {};
  if (concurrency !== undefined) change.concurrency = concurrencyArgument(concurrency);
  if (flags.rate !== undefined) change.rate = rateOption(flags.rate);
  await typesControlAction(type, change, flags, context);
}
