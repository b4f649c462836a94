import { Command, CommanderError } from 'commander';
import { createLogger, describeError, runWorker, type JobbyRegistry, type RunningWorker } from '@jobby/core';
import { exitCodeOf } from './cli-error.js';
import { addWorkerOptions } from './command-tree.mjs';
import { stopOnSignals } from './stop-on-signals.js';
import { workerOptionsFromFlags } from './worker-flags.js';

/**
 * `@jobby/cli/worker-program`: the entry of a generated worker program (`generated/worker.ts`,
 * bundled into `worker.mjs` for deployment). It takes the flags of `jobby worker` (the same
 * declaration, less `--admin-port`), runs the worker with `runWorker` of @jobby/core, and stops it
 * gracefully on SIGTERM/SIGINT. Loads commander and the core, nothing else of the CLI.
 */

const environmentHelp = `
Environment: DATABASE_URL selects Postgres; without it the embedded database in .jobby/data is used.`;

/**
 * Runs the worker program with the process's flags: resolves once the worker runs (undefined after
 * `--help`, or after a one-line error on stderr with exit code 2 for bad flags or configuration,
 * 1 for other failures).
 *
 * @example
 * ```ts
 * // generated/worker.ts
 * import { runWorkerProgram } from '@jobby/cli/worker-program';
 * import { registry } from './registry.js';
 *
 * await runWorkerProgram({ registry, argv: process.argv.slice(2) });
 * ```
 */
export async function runWorkerProgram(options: { registry: JobbyRegistry; argv: readonly string[] }): Promise<RunningWorker | undefined> {
  const command = addWorkerOptions(new Command('worker').description('Runs the jobby worker for every plugin in the registry.'))
    .addHelpText('after', environmentHelp)
    .exitOverride()
    .configureOutput({ writeOut: (text) => process.stdout.write(text), writeErr: () => {}, outputError: () => {} });
  let flags;
  try {
    command.parse([...options.argv], { from: 'user' });
    flags = workerOptionsFromFlags(command.opts());
  } catch (error) {
    if (error instanceof CommanderError && (error.code === 'commander.helpDisplayed' || error.code === 'commander.help')) return undefined;
    process.stderr.write(`error: ${describeError(error).replace(/^error: /, '')}\nRun with --help for usage.\n`);
    process.exitCode = 2;
    return undefined;
  }
  const logger = createLogger();
  try {
    const running = await runWorker({ ...flags, registry: options.registry, logger });
    stopOnSignals(() => running.stop(), logger);
    return running;
  } catch (error) {
    process.stderr.write(`error: ${describeError(error)}\n`);
    process.exitCode = exitCodeOf(error);
    return undefined;
  }
}

export { stopOnSignals } from './stop-on-signals.js';
