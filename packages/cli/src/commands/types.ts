import { syncJobTypes } from '@jobby/core';
import { createJobStore, type JobTypeControlChange, type JobTypeControls } from '@jobby/core/store';
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
}

/** `<concurrency>` of `jobby types limit`: 1–1,000,000, or `none`. */
export function concurrencyArgument(value: string): number | null {
  return value === 'none' ? null : integerOption('<concurrency>', value, 1, 1_000_000);
}

function line(control: TypeControlJson): string {
  const state = [control.paused ? 'paused' : 'running', control.concurrency === null ? 'no limit' : `at most ${control.concurrency} at once`];
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
  const result: TypeControlJson = { type, id: registered.id, paused: controls.paused, concurrency: controls.concurrency };
  context.io.stdout(flags.json ? `${JSON.stringify(result)}\n` : `${line(result)}\n`);
}
