import { createJobbyClient, describeError, type JobbyClient, type JobbyRegistry } from '@jobby/core';
import { createJobStore, type JobState, type JobStore } from '@jobby/core/store';
import { CliError, exitCodes } from '../cli-error.js';
import { withDatabase } from '../database.js';
import { jobDetailJson, jobSummaryJson, type JobSummaryJson } from '../job-json.js';
import { integerOption, jobTypeArgument, stateOption } from '../options.js';
import type { CommandContext } from '../program.js';
import { findProject, loadRegistry } from '../project.js';
import { readRemovedJobTypes, type RemovedJobType } from '../removed-job-types.js';

/**
 * `jobby jobs list|show|retry|cancel|rerun`. Job types are named `plugin.Job`: those of the
 * registry, and the removed ones by the name `jobby.lock.json` keeps for them (their jobs can be
 * listed, shown and cancelled, never run again).
 */

interface JobTypes {
  readonly registry: JobbyRegistry;
  readonly removed: readonly RemovedJobType[];
  /** A `plugin.Job` name to its id; throws exit 2 naming the known types. */
  resolve(what: string, name: string): { id: number; removed?: RemovedJobType };
  /** The name to show for an id: the registry's, the lock's, else `unknown#<id>`. */
  nameOf(id: number): string;
}

function jobTypes(registry: JobbyRegistry, projectRoot: string): JobTypes {
  const removed = readRemovedJobTypes(projectRoot).filter((type) => !registry.byId(type.id));
  const removedByName = new Map(removed.map((type) => [type.name, type]));
  const removedById = new Map(removed.map((type) => [type.id, type]));
  return {
    registry,
    removed,
    resolve(what, name) {
      const registered = registry.byName(name);
      if (registered) return { id: registered.id };
      const gone = removedByName.get(name);
      if (gone) return { id: gone.id, removed: gone };
      try {
        registry.require(name);
      } catch (error) {
        throw new CliError(`${what}: ${describeError(error)}${removed.length > 0 ? `; removed (jobby.lock.json): ${removed.map((type) => type.name).join(', ')}` : ''}`, exitCodes.usage, {
          cause: error,
        });
      }
      throw new CliError(`${what}: unknown job type "${name}"`);
    },
    nameOf: (id) => registry.byId(id)?.fullName ?? removedById.get(id)?.name ?? `unknown#${id}`,
  };
}

/** The typed client, and the store for what the client does not offer (jobs of removed types, lists, neighbours). */
interface JobsSession {
  client: JobbyClient;
  store: JobStore;
}

async function withClient<T>(context: CommandContext, use: (session: JobsSession, types: JobTypes) => Promise<T>, check?: (types: JobTypes) => void): Promise<T> {
  const registry = await loadRegistry(context.io.cwd);
  const types = jobTypes(registry, findProject(context.io.cwd).root);
  check?.(types);
  return withDatabase((database) =>
    use({ client: createJobbyClient({ database, registry }), store: createJobStore(database, { describeType: (id) => registry.byId(id)?.fullName ?? `type ${id}` }) }, types),
  );
}

function table(rows: readonly JobSummaryJson[]): string {
  const header = ['ID', 'TYPE', 'KEY', 'STATE', 'ATTEMPTS', 'CREATED'];
  const cells = rows.map((row) => [row.id, row.type, row.key, row.state, `${row.attempts}/${row.maxAttempts}`, row.createdAt]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column]!.length)));
  return [header, ...cells].map((cell) => cell.map((value, column) => value.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}

/** The job (type, key) names, read by id so that a removed job type's jobs are found too. */
async function findJob({ client, store }: JobsSession, types: JobTypes, type: string, key: string) {
  const { id: typeId } = types.resolve('<type>', type);
  const stored = await store.jobGetByReference({ typeId, key });
  if (!stored) throw new CliError(`job ${type}:${key} does not exist`, exitCodes.failed);
  if (!stored.ok) throw stored.error;
  const job = await client.getById(stored.value.id);
  if (!job) throw new CliError(`job ${type}:${key} does not exist`, exitCodes.failed);
  return { ...job, type };
}

export interface JobsListFlags {
  state?: string;
  type?: string;
  limit?: string;
  json?: boolean;
}

/** `jobby jobs list`. */
export async function jobsListAction(flags: JobsListFlags, context: CommandContext): Promise<void> {
  const state: JobState | undefined = flags.state === undefined ? undefined : stateOption(flags.state);
  if (flags.type !== undefined) jobTypeArgument('--type', flags.type);
  const limit = flags.limit === undefined ? 50 : integerOption('--limit', flags.limit, 1, 1000);
  const rows = await withClient(
    context,
    async ({ store }, types) => {
      const typeIds = flags.type === undefined ? undefined : [types.resolve('--type', flags.type).id];
      const results = await store.jobList({ ...(state ? { states: [state] } : {}), ...(typeIds ? { typeIds } : {}), limit });
      const summaries: JobSummaryJson[] = [];
      for (const result of results) {
        if (result.ok) summaries.push(jobSummaryJson(result.value, types.nameOf(result.value.typeId)));
        // One malformed row never hides the others; it is reported on stderr.
        else context.io.stderr(`jobby jobs list: skipped job ${result.id ?? '?'}: ${result.error.message}\n`);
      }
      return summaries;
    },
    (types) => flags.type !== undefined && types.resolve('--type', flags.type),
  );
  context.io.stdout(flags.json ? `${JSON.stringify(rows, null, 2)}\n` : rows.length === 0 ? 'no jobs\n' : `${table(rows)}\n`);
}

/** `jobby jobs show <type> <key>`. */
export async function jobsShowAction(type: string, key: string, flags: { json?: boolean }, context: CommandContext): Promise<void> {
  jobTypeArgument('<type>', type);
  const detail = await withClient(
    context,
    async (session, types) => {
      const { client, store } = session;
      const job = await findJob(session, types, type, key);
      const [attempts, neighbours] = await Promise.all([client.attempts(job.id), store.jobNeighbours(job.id)]);
      const edge = (entry: { typeId: number; key: string; state: JobState }) => ({ type: types.nameOf(entry.typeId), key: entry.key, state: entry.state });
      return jobDetailJson(job, attempts, { dependencies: neighbours.dependencies.map(edge), dependents: neighbours.dependents.map(edge) });
    },
    (types) => types.resolve('<type>', type),
  );
  if (flags.json) {
    context.io.stdout(`${JSON.stringify(detail, null, 2)}\n`);
    return;
  }
  const lines = [
    `${detail.type}:${detail.key}  (id ${detail.id})`,
    `state        ${detail.state}`,
    `attempts     ${detail.attempts}/${detail.maxAttempts}`,
    `created      ${detail.timings.createdAt}`,
    `started      ${detail.timings.startedAt ?? '-'}`,
    `finished     ${detail.timings.finishedAt ?? '-'}`,
    `queue delay  ${detail.timings.queueDelayMs === null ? '-' : `${detail.timings.queueDelayMs} ms`}`,
    `run time     ${detail.timings.runTimeMs === null ? '-' : `${detail.timings.runTimeMs} ms`}`,
    `input        ${JSON.stringify(detail.input)}`,
    `output       ${JSON.stringify(detail.output)}`,
    ...(detail.lastError ? [`last error   ${detail.lastError.code}: ${detail.lastError.message}`] : []),
    ...detail.dependencies.map((edge) => `depends on   ${edge.type}:${edge.key} (${edge.state})`),
    ...detail.dependents.map((edge) => `needed by    ${edge.type}:${edge.key} (${edge.state})`),
    ...detail.attemptHistory.map((attempt) => `attempt ${attempt.attempt}    ${attempt.outcome}${attempt.error ? `: ${attempt.error.message}` : ''}`),
  ];
  context.io.stdout(`${lines.join('\n')}\n`);
}

/** `jobby jobs retry|cancel|rerun <type> <key>`. */
export async function jobsControlAction(name: 'retry' | 'cancel' | 'rerun', type: string, key: string, flags: { json?: boolean }, context: CommandContext): Promise<void> {
  jobTypeArgument('<type>', type);
  const result = await withClient(
    context,
    async (session, types) => {
      const { store } = session;
      const job = await findJob(session, types, type, key);
      if (name === 'cancel') {
        const cancelled = await store.jobCancel(job.id);
        return { changed: cancelled.cancelled, jobs: cancelled.cancelled ? [job.id, ...cancelled.cancelledDescendants.map(String)] : [], state: cancelled.previousState };
      }
      const reset = name === 'retry' ? await store.jobRetry(job.id) : await store.jobRerun(job.id);
      return { changed: reset.reset.length > 0, jobs: reset.reset, state: job.state };
    },
    (types) => {
      const removed = types.resolve('<type>', type).removed;
      // No worker can run a removed job type: running its jobs again would only queue them forever.
      if (removed && name !== 'cancel') throw new CliError(`${type} is a removed job type (${removed.why} in jobby.lock.json): its jobs can be listed, shown and cancelled, not run again`);
    },
  );
  if (flags.json) context.io.stdout(`${JSON.stringify({ type, key, changed: result.changed, jobs: result.jobs })}\n`);
  else if (result.changed) context.io.stdout(`${name === 'cancel' ? 'cancelled' : name === 'retry' ? 'retried' : 're-running'} ${type}:${key} (${result.jobs.length} job${result.jobs.length === 1 ? '' : 's'})\n`);
  if (!result.changed) {
    const why = name === 'cancel' ? 'only queued, waiting or running jobs can be cancelled' : name === 'retry' ? 'only failed or cancelled jobs can be retried' : 'only finished jobs can be re-run';
    throw new CliError(`${type}:${key} is ${result.state}; ${why}`, exitCodes.failed);
  }
}
