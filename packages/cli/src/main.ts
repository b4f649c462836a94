/** The `jobby` executable (bin/jobby.js runs this). */
import { watchParentWhenLaunchedByNpm } from './parent-watch.js';
import { runCli } from './program.js';

// Long-running commands (worker, admin) stop gracefully on SIGTERM; an orphaned one gets it too.
watchParentWhenLaunchedByNpm(() => process.kill(process.pid, 'SIGTERM'));
process.exitCode = await runCli(process.argv.slice(2));
