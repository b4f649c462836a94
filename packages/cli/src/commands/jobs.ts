import { createJobbyClient, describeError, type JobbyClient, type JobbyRegistry } from '@jobby/core';
import type { JobState } from '@jobby/core/store';
import { Command } from 'commander';
import { CliError, exitCodes } from '../cli-error.js';
import { withDatabase } from '../database.js';
import { jobDetailJson, jobSummaryJson, type JobSummaryJson } from '../job-json.js';
import { integerOption, jobTypeArgument, stateOption } from '../options.js';
import type { CommandContext } from '../program.js';
import { loadRegistry } from '../project.js';

function requireType(registry: JobbyRegistry, what: string, name: string) {
  try {
    return registry.require(name);
  } catch (error) {
    throw new CliError(`${what}: ${describeError(error)}`);
  }
}

async function withClient<T>(context: CommandContext, use: (client: JobbyClient, registry: JobbyRegistry) => Promise<T>, check?: (registry: JobbyRegistry) => void): Promise<T> {
  const registry = await loadRegistry(context.io.cwd);
  check?.(registry);
  return withDatabase((database) => use(createJobbyClient({ database, registry }), registry));
}

function table(rows: readonly JobSummaryJson[]): string {
  const header = ['ID', 'TYPE', 'KEY', 'STATE', 'ATTEMPTS', 'CREATED'];
  const cells = rows.map((row) => [row.id, row.type, row.key, row.state, `${row.attempts}/${row.maxAttempts}`, row.createdAt]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column]!.length)));
  return [header, ...cells].map((cell) => cell.map((value, column) => value.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}

async function findJob(client: JobbyClient, type: string, key: string) {
  const job = await client.get(client.resolveType(type).ref, key);
  if (!job) throw new CliError(`job ${type}:${key} does not exist`, exitCodes.failed);
  return job;
}

export function registerJobs(program: Command, context: CommandContext): void {
  const jobs = program.command('jobs').description('list, inspect and control jobs');

  jobs
    .command('list')
    .description('list jobs, newest first')
    .option('--state <state>', 'only jobs in this state: queued, waiting, running, succeeded, failed or cancelled')
    .option('--type <type>', 'only jobs of this type, plugin.Job')
    .option('--limit <n>', 'at most this many, 1–1000 (default 50)')
    .option('--json', 'print a JSON array (see the README for the fields)')
    .action(async (flags: { state?: string; type?: string; limit?: string; json?: boolean }) => {
      const state: JobState | undefined = flags.state === undefined ? undefined : stateOption(flags.state);
      if (flags.type !== undefined) jobTypeArgument('--type', flags.type);
      const limit = flags.limit === undefined ? 50 : integerOption('--limit', flags.limit, 1, 1000);
      const rows = await withClient(
        context,
        async (client, registry) => {
          const typeIds = flags.type === undefined ? undefined : [registry.require(flags.type).id];
          const results = await client.store.jobList({ ...(state ? { states: [state] } : {}), ...(typeIds ? { typeIds } : {}), limit });
          const summaries: JobSummaryJson[] = [];
          for (const result of results) {
            if (result.ok) summaries.push(jobSummaryJson(result.value, registry.byId(result.value.typeId)?.fullName ?? `unknown#${result.value.typeId}`));
            // One malformed row never hides the others; it is reported on stderr.
            else context.io.stderr(`jobby jobs list: skipped job ${result.id ?? '?'}: ${result.error.message}\n`);
          }
          return summaries;
        },
        (registry) => flags.type !== undefined && requireType(registry, '--type', flags.type),
      );
      context.io.stdout(flags.json ? `${JSON.stringify(rows, null, 2)}\n` : rows.length === 0 ? 'no jobs\n' : `${table(rows)}\n`);
    });

  jobs
    .command('show')
    .description('show one job: input, output, timings, attempts, dependencies and dependents')
    .argument('<type>', 'the job type, plugin.Job')
    .argument('<key>', 'the job key')
    .option('--json', 'print one JSON object (see the README for the fields)')
    .action(async (type: string, key: string, flags: { json?: boolean }) => {
      jobTypeArgument('<type>', type);
      const detail = await withClient(
        context,
        async (client, registry) => {
          const job = await findJob(client, type, key);
          const [attempts, neighbours] = await Promise.all([client.attempts(job.id), client.store.jobNeighbours(job.id)]);
          const edge = (entry: { typeId: number; key: string; state: JobState }) => ({ type: registry.byId(entry.typeId)?.fullName ?? `unknown#${entry.typeId}`, key: entry.key, state: entry.state });
          return jobDetailJson(job, attempts, { dependencies: neighbours.dependencies.map(edge), dependents: neighbours.dependents.map(edge) });
        },
        (registry) => requireType(registry, '<type>', type),
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
    });

  const control = (name: 'retry' | 'cancel' | 'rerun', description: string) =>
    jobs
      .command(name)
      .description(description)
      .argument('<type>', 'the job type, plugin.Job')
      .argument('<key>', 'the job key')
      .option('--json', 'print the result as JSON: { type, key, changed, jobs }')
      .action(async (type: string, key: string, flags: { json?: boolean }) => {
        jobTypeArgument('<type>', type);
        const result = await withClient(
          context,
          async (client) => {
            const job = await findJob(client, type, key);
            if (name === 'cancel') {
              const cancelled = await client.store.jobCancel(job.id);
              return { changed: cancelled.cancelled, jobs: cancelled.cancelled ? [job.id, ...cancelled.cancelledDescendants.map(String)] : [], state: cancelled.previousState };
            }
            const reset = name === 'retry' ? await client.store.jobRetry(job.id) : await client.store.jobRerun(job.id);
            return { changed: reset.reset.length > 0, jobs: reset.reset, state: job.state };
          },
          (registry) => requireType(registry, '<type>', type),
        );
        if (flags.json) context.io.stdout(`${JSON.stringify({ type, key, changed: result.changed, jobs: result.jobs })}\n`);
        else if (result.changed) context.io.stdout(`${name === 'cancel' ? 'cancelled' : name === 'retry' ? 'retried' : 're-running'} ${type}:${key} (${result.jobs.length} job${result.jobs.length === 1 ? '' : 's'})\n`);
        if (!result.changed) {
          const why = name === 'cancel' ? 'only queued, waiting or running jobs can be cancelled' : name === 'retry' ? 'only failed or cancelled jobs can be retried' : 'only finished jobs can be re-run';
          throw new CliError(`${type}:${key} is ${result.state}; ${why}`, exitCodes.failed);
        }
      });
  control('retry', 'retry a failed or cancelled job with fresh attempts, reviving the dependents cancelled because of it');
  control('cancel', 'cancel a queued, waiting or running job and the jobs waiting on it');
  control('rerun', 'run a finished job again, with every job downstream of it');
}
