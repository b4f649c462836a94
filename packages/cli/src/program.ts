import { Command, CommanderError } from 'commander';
import { exitCodeOf, exitCodes, oneLine } from './cli-error.js';
import { registerAdmin } from './commands/admin.js';
import { registerCodegen } from './commands/codegen.js';
import { registerJobs } from './commands/jobs.js';
import { registerMigrate } from './commands/migrate.js';
import { registerSubmit } from './commands/submit.js';
import { registerWorker } from './commands/worker.js';
import { processIo, type CliIo } from './io.js';

/** What command actions share: where to write, and what they decided about the exit. */
export interface CommandContext {
  readonly io: CliIo;
  /** Set by commands that report their own code (codegen). */
  exitCode?: number;
  /** Set by commands that keep the process running (worker, admin): they exit on a signal. */
  longRunning?: boolean;
}

const environmentHelp = `
Environment:
  DATABASE_URL     Postgres connection string; unset: the embedded database in .jobby/data
                   (shared with a running \`npm start\` / \`jobby worker\` through its local server)
  JOBBY_SCHEMA     Postgres schema holding jobby's tables (default jobby)
  JOBBY_DATA_DIR   the embedded database's directory (default .jobby/data)
  JOBBY_LOG_LEVEL  worker log level (default info)
  JOBBY_ADMIN_TOKEN  bearer token the admin API requires

Exit codes: 0 done; 1 failed (database unreachable, job not found, stale codegen output);
2 bad usage (bad flag, bad JSON, unknown job type, payload failing its schema) — nothing written.`;

export function createProgram(context: CommandContext): Command {
  const program = new Command('jobby')
    .description('jobby: a type-safe Postgres job queue — codegen, migrations, workers, the admin UI and job control')
    .showSuggestionAfterError(true)
    .addHelpText('after', environmentHelp);
  registerCodegen(program, context);
  registerMigrate(program, context);
  registerWorker(program, context);
  registerAdmin(program, context);
  registerSubmit(program, context);
  registerJobs(program, context);
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
