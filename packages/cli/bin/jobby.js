#!/usr/bin/env node
// The `jobby` command. Published (or built): runs dist/main.js. In the workspace before a build:
// re-executes Node on the TypeScript sources (`--conditions=@jobby/source --import tsx`), passing
// stdio through and exiting with the child's code (or re-raising its signal).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = fileURLToPath(new URL('../dist/main.js', import.meta.url));
if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  const source = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--conditions=@jobby/source', '--import', 'tsx', ...process.execArgv, source, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  // Forward termination to the child: it shuts down gracefully and its exit code becomes ours.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else {
      process.exit(code ?? 1);
    }
  });
}
