import { CommanderError, type Command } from 'commander';
import { exitCodeOf, exitCodes, oneLine } from './cli-error.js';
import { createCommandTree } from './command-tree.mjs';
import { processIo, type CliIo } from './io.js';

/** What command actions share: where to write, and what they decided about the exit. */
export interface CommandContext {
  readonly io: CliIo;
  /** Set by commands that report their own code (codegen). */
  exitCode?: number;
  /** Set by commands that keep the process running (worker, admin): they exit on a signal. */
  longRunning?: boolean;
}

/**
 * The `jobby` program: the command tree of `command-tree.js` with its actions. Each action's module
 * is imported when the command runs, so that a command loads only what it needs (`--help` and
 * `jobby codegen` never load the database driver, `jobby submit` never loads ts-morph).
 */
export function createProgram(context: CommandContext): Command {
  const { program, commands } = createCommandTree();
  const on = commands.get.bind(commands);
  on('codegen')!.action(async (flags) => (await import('./commands/codegen.js')).codegenAction(flags, context));
  on('migrate')!.action(async () => (await import('./commands/migrate.js')).migrateAction(context));
  on('worker')!.action(async (flags) => (await import('./commands/worker.js')).workerAction(flags, context));
  on('admin')!.action(async (flags) => (await import('./commands/admin.js')).adminAction(flags, context));
  on('submit')!.action(async (type: string, key: string, flags) => (await import('./commands/submit.js')).submitAction(type, key, flags, context));
  on('jobs list')!.action(async (flags) => (await import('./commands/jobs.js')).jobsListAction(flags, context));
  on('jobs show')!.action(async (type: string, key: string, flags) => (await import('./commands/jobs.js')).jobsShowAction(type, key, flags, context));
  for (const name of ['retry', 'cancel', 'rerun'] as const) {
    on(`jobs ${name}`)!.action(async (type: string, key: string, flags) => (await import('./commands/jobs.js')).jobsControlAction(name, type, key, flags, context));
  }
  on('types list')!.action(async (flags) => (await import('./commands/types.js')).typesListAction(flags, context));
  on('types pause')!.action(async (type: string, flags) => (await import('./commands/types.js')).typesControlAction(type, { paused: true }, flags, context));
  on('types resume')!.action(async (type: string, flags) => (await import('./commands/types.js')).typesControlAction(type, { paused: false }, flags, context));
  on('types limit')!.action(async (type: string, limit: string | undefined, flags) =>
    (await import('./commands/types.js')).typesLimitAction(type, limit, flags, context),
  );
  on('schedules list')!.action(async (flags) => (await import('./commands/schedules.js')).schedulesListAction(flags, context));
  on('new plugin')!.action(async (name: string, flags) => (await import('./commands/new-plugin.js')).newPluginAction(name, flags, context));
  const configure = (command: Command) => {
    command.exitOverride().configureOutput({
      writeOut: (text) => context.io.stdout(text),
      // Commander's own errors are reported by runCli as one line.
      writeErr: () => {},
      outputError: () => {},
    });
    command.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/** The name of the (sub)command an argv addresses, for error prefixes: `jobby jobs list`. */
function commandPath(program: Command, argv: readonly string[]): string {
  const names = ['jobby'];
  let command = program;
  for (const argument of argv) {
    const next = command.commands.find((candidate) => candidate.name() === argument);
    if (!next) break;
    names.push(argument);
    command = next;
  }
  return names.join(' ');
}

/**
 * Runs the `jobby` command line and resolves to its exit code. Errors are one line on stderr,
 * `<command>: <what and where>`. Long-running commands (worker, admin) resolve once started; they
 * exit on SIGTERM/SIGINT.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2));
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const context: CommandContext = { io };
  const program = createProgram(context);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return exitCodes.ok;
      if (error.code === 'commander.executeSubCommandAsync') return exitCodes.ok;
      // Commander prefixes "error: "; our prefix names the command instead.
      io.stderr(`${commandPath(program, argv)}: ${error.message.replace(/^error: /, '').split('\n')[0]}\n`);
      return exitCodes.usage;
    }
    let message = oneLine(error);
    if (/(relation|schema) "[^"]+" does not exist|type "[^"]*job_state" does not exist/.test(message)) message += ' (run jobby migrate)';
    io.stderr(`${commandPath(program, argv)}: ${message}\n`);
    return exitCodeOf(error);
  }
  return context.exitCode ?? exitCodes.ok;
}
