// @ts-check
/**
 * The shape of the `jobby` command line: every command, argument, option and description, and
 * nothing else. Plain JavaScript that imports only commander and core's worker options table (plain
 * JavaScript too), so that `bin/jobby.js` answers `--help` from it directly, without loading
 * TypeScript, the runtime or a database driver (~0.15 s instead of ~2 s). `program.ts` attaches the
 * actions, each loaded on demand, to the same tree.
 */
import { describeWorkerOption, workerOptionSpecs } from '@jobby/core/worker-options';
import { Command } from 'commander';

/** The commands that do something, by their path: `jobs list`, `new plugin`, … */
export const commandPaths = /** @type {const} */ ([
  'codegen',
  'migrate',
  'worker',
  'admin',
  'submit',
  'jobs list',
  'jobs show',
  'jobs retry',
  'jobs cancel',
  'jobs rerun',
  'types list',
  'types pause',
  'types resume',
  'types limit',
  'schedules list',
  'new plugin',
]);

/** @typedef {(typeof commandPaths)[number]} CommandPath */

export const environmentHelp = `
Environment:
  DATABASE_URL     Postgres connection string; unset: the embedded database in .jobby/data
                   (shared with a running \`npm start\` / \`jobby worker\` through its local server)
  JOBBY_SCHEMA     Postgres schema holding jobby's tables (default jobby)
  JOBBY_DATA_DIR   the embedded database's directory (default .jobby/data)
  JOBBY_LOG_LEVEL  worker log level (default info)
  JOBBY_ADMIN_TOKEN       the admin's operator token (reads and changes)
  JOBBY_ADMIN_READ_TOKEN  the admin's read-only token (beyond loopback reads need a token)
  JOBBY_ADMIN_DATABASE_URL  where the admin reads (a read replica); changes go to DATABASE_URL
  JOBBY_ADMIN_STATEMENT_TIMEOUT_MS  the admin's statement timeout (default 5000; 0: none)

Exit codes: 0 done; 1 failed (database unreachable, job not found, stale codegen output);
2 bad usage (bad flag, bad JSON, unknown job type, payload failing its schema) — nothing written.`;

/**
 * @param {string} value
 * @param {string[]} previous
 * @returns {string[]}
 */
function collect(value, previous) {
  return [...previous, value];
}

/**
 * Adds the worker's flags to a command, from core's one declaration of the worker options
 * (`@jobby/core/worker-options`): `jobby worker` and the generated worker program share them.
 *
 * @example
 * ```js
 * const command = addWorkerOptions(new Command('worker'));
 * command.parse(['--concurrency', '4'], { from: 'user' }); // command.opts().concurrency === '4'
 * ```
 * @param {Command} command
 * @returns {Command}
 */
export function addWorkerOptions(command) {
  for (const spec of Object.values(workerOptionSpecs)) {
    if ('flag' in spec) command.option(spec.flag, describeWorkerOption(spec));
  }
  return command;
}

/**
 * Builds the command tree, without actions.
 *
 * @example
 * ```js
 * const { program, commands } = createCommandTree();
 * commands.get('migrate').action(async () => { … });
 * ```
 * @returns {{ program: Command, commands: Map<CommandPath, Command> }}
 */
export function createCommandTree() {
  /** @type {Map<CommandPath, Command>} */
  const commands = new Map();
  const program = new Command('jobby')
    .description('jobby: a type-safe Postgres job queue — codegen, migrations, workers, the admin UI and job control')
    .showSuggestionAfterError(true)
    .addHelpText('after', environmentHelp);

  commands.set(
    'codegen',
    program
      .command('codegen')
      .description('find the plugins, pin their job type ids in jobby.lock.json and write the generated registry')
      .option('--check', 'write nothing; exit 1 with a diff when a generated file or jobby.lock.json is stale')
      .option('--root <dir>', 'start looking for the project root here (default: the current directory)')
      .option('--out-dir <dir>', 'where to write generated files (default: "jobby.outDir" of the root package.json)'),
  );

  commands.set('migrate', program.command('migrate').description('apply pending database migrations (safe to run from several processes at once)'));

  commands.set(
    'worker',
    addWorkerOptions(program.command('worker').description('run the worker for every plugin of the generated registry (stops gracefully on SIGTERM/SIGINT, exit 0)'))
      .option('--admin-port <port>', 'also serve the admin UI on 127.0.0.1:<port> (0: any free port)'),
  );

  commands.set(
    'admin',
    program
      .command('admin')
      .description('serve the admin UI and API (tokens: JOBBY_ADMIN_TOKEN, JOBBY_ADMIN_READ_TOKEN)')
      .option('--host <address>', 'address to listen on (default 127.0.0.1); beyond loopback every request needs a token')
      .option('--port <port>', 'port to listen on (default 4280; 0: any free port)'),
  );

  commands.set(
    'submit',
    program
      .command('submit')
      .description('submit a job; idempotent on (type, key): submitting the pair again changes nothing')
      .argument('<type>', 'the job type, plugin.Job (it must be declared submittable)')
      .argument('<key>', 'the job key, 1–512 characters')
      .option('--input <json>', 'the input, as JSON (default {})')
      .option('--depends-on <type:key>', 'a job that must succeed first (repeatable)', collect, /** @type {string[]} */ ([]))
      .option('--max-attempts <n>', 'allowed attempts, 1–1000 (default 25)')
      .option('--run-at <iso>', 'earliest time to run, ISO 8601')
      .option('--priority <n>', 'higher runs first, -1000000 to 1000000 (default 0)')
      .option('--json', 'print the result as JSON: { id, type, key, state, created }'),
  );

  const jobs = program.command('jobs').description('list, inspect and control jobs');
  commands.set(
    'jobs list',
    jobs
      .command('list')
      .description('list jobs, newest first')
      .option('--state <state>', 'only jobs in this state: queued, waiting, running, succeeded, failed or cancelled')
      .option('--type <type>', 'only jobs of this type, plugin.Job (also a removed job type, by its name in jobby.lock.json)')
      .option('--limit <n>', 'at most this many, 1–1000 (default 50)')
      .option('--json', 'print a JSON array (see the README for the fields)'),
  );
  commands.set(
    'jobs show',
    jobs
      .command('show')
      .description('show one job: input, output, timings, attempts, dependencies and dependents')
      .argument('<type>', 'the job type, plugin.Job (also a removed job type, by its name in jobby.lock.json)')
      .argument('<key>', 'the job key')
      .option('--json', 'print one JSON object (see the README for the fields)'),
  );
  /** @type {const} */ ([
    ['retry', 'retry a failed or cancelled job with fresh attempts, reviving the dependents cancelled because of it'],
    ['cancel', 'cancel a queued, waiting or running job and the jobs waiting on it (also of a removed job type)'],
    ['rerun', 'run a finished job again, with every job downstream of it'],
  ]).forEach(([name, description]) => {
    commands.set(
      `jobs ${name}`,
      jobs
        .command(name)
        .description(description)
        .argument('<type>', 'the job type, plugin.Job')
        .argument('<key>', 'the job key')
        .option('--json', 'print the result as JSON: { type, key, changed, jobs }'),
    );
  });

  const types = program.command('types').description('flow control per job type, enforced in Postgres across every worker');
  commands.set(
    'types list',
    types
      .command('list')
      .description("the registry's job types with their controls (paused, cluster-wide concurrency limit, rate limit, limit per group key), the limits declared in code, and where each limit in force comes from")
      .option('--json', 'print a JSON array: [{ type, id, paused, concurrency, rate: { limit, intervalMs } | null, groupConcurrency, declared, declaredFrom, sources }]'),
  );
  /** @type {const} */ ([
    ['pause', 'pause a job type: no worker claims its jobs (within a claim, at once); they wait, nothing is lost'],
    ['resume', 'resume a paused job type; idle workers are woken'],
  ]).forEach(([name, description]) => {
    commands.set(
      `types ${name}`,
      types
        .command(name)
        .description(description)
        .argument('<type>', 'the job type, plugin.Job')
        .option('--json', 'print the type\'s controls as JSON: { type, id, paused, concurrency, rate, groupConcurrency, declared, declaredFrom, sources }'),
    );
  });
  commands.set(
    'types limit',
    types
      .command('limit')
      .description("limit how many of a type's jobs run at once, how many start per interval, and how many run per group key, across all workers; a limit set here overrides the code's (JobRegistry.limit) until --clear")
      .argument('<type>', 'the job type, plugin.Job')
      .argument('[concurrency]', 'the limit on running jobs, 1–1000000, or "none" to remove it')
      .option('--rate <limit/interval>', 'at most <limit> starts per <interval> (ms, s, m or h), e.g. 20/1s; "none" removes it')
      .option('--group <N>', 'at most N (1–1000000) running per group key (the type\'s groupKeys); "none" removes it')
      .option('--clear', 'drop the limits set at run time: the limits declared in code are in force again')
      .option('--json', 'print the type\'s controls as JSON: { type, id, paused, concurrency, rate, groupConcurrency, declared, declaredFrom, sources }'),
  );

  const schedules = program.command('schedules').description('recurring jobs declared by the plugins (registry.schedule), one job per fire time');
  commands.set(
    'schedules list',
    schedules
      .command('list')
      .description('each schedule with its next and last fire times, those removed from code, and those no worker has run yet')
      .option('--json', 'print a JSON array: [{ type, name, cron, timezone, catchUp, state, nextFireAt, lastFireAt, removedAt }]'),
  );

  const create = program.command('new').description('create a package wired into the project');
  commands.set(
    'new plugin',
    create
      .command('plugin')
      .description('write a plugin package (job enum, typed payloads, module class, a test, README), add it to the worker program, install, run codegen')
      .argument('<name>', 'the plugin name: lowercase letters, digits, - and _ (used in plugin.Job names)')
      .option('--dir <dir>', 'where to write it, relative to the project root (default plugins/<name>)')
      .option('--package <name>', 'the npm package name (default: @<scope of the root package>/<name>, else <name>)')
      .option('--skip-install', 'do not run npm install and jobby codegen afterwards'),
  );
  return { program, commands };
}

/**
 * True when argv asks only for help (`-h`, `--help`, `help`): `bin/jobby.js` then answers from the
 * tree alone.
 *
 * @param {readonly string[]} argv
 */
export function isHelpRequest(argv) {
  const options = argv.indexOf('--') < 0 ? argv : argv.slice(0, argv.indexOf('--'));
  return options.includes('--help') || options.includes('-h') || options[0] === 'help';
}

/**
 * Prints the help that argv asks for, the way the full program would; resolves to false when argv
 * turns out to be something else (an unknown command, a missing argument…), which the full program
 * then reports.
 *
 * @param {readonly string[]} argv
 * @param {(text: string) => void} write
 * @returns {boolean}
 */
export function printHelp(argv, write) {
  const { program } = createCommandTree();
  let helped = false;
  /** @param {Command} command */
  const configure = (command) => {
    command.exitOverride().configureOutput({
      writeOut: (text) => {
        helped = true;
        write(text);
      },
      writeErr: () => {},
      outputError: () => {},
    });
    command.commands.forEach(configure);
  };
  configure(program);
  try {
    program.parse([...argv], { from: 'user' });
  } catch {
    // commander ends help with an exception (exitOverride); `helped` says whether it printed one
  }
  return helped;
}
