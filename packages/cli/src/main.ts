/** The `jobby` executable (bin/jobby.js runs this). */
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2));
