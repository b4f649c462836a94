#!/usr/bin/env node
// The `jobby` command.
// - Help (`-h`, `--help`, `help`) is printed from the command tree alone (command-tree.mjs: it
//   imports commander and core's worker options table, both plain JavaScript), so it answers in
//   well under 0.2 s.
// - In a checkout of the jobby repository (src/main.ts is here) the TypeScript sources run in this
//   process through tsx; installed from npm, dist/main.js runs.
// - Either way bare imports prefer a package's `@jobby/source` export where its file exists (see
//   source-condition.mjs): the worker runs the plugins' sources, never a stale dist/.
// One process, no child: SIGTERM and Ctrl-C reach the program itself, and nothing is left behind.
import { existsSync } from 'node:fs';
import { register } from 'node:module';

// `jobby … | head`: a reader that stops early is not an error of ours.
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

const argv = process.argv.slice(2);
const source = new URL('../src/main.ts', import.meta.url);
const fromSource = existsSync(source);
// In a checkout, the command tree reads core's options table from its sources (no dist/ there).
if (fromSource) register('./source-condition.mjs', import.meta.url);
const { isHelpRequest, printHelp } = await import(new URL(fromSource ? '../src/command-tree.mjs' : '../dist/command-tree.mjs', import.meta.url).href);
if (!(isHelpRequest(argv) && printHelp(argv, (text) => process.stdout.write(text)))) {
  if (fromSource) {
    const { register: registerTypeScript } = await import('tsx/esm/api');
    registerTypeScript();
    await import(source.href);
  } else {
    register('./source-condition.mjs', import.meta.url);
    await import(new URL('../dist/main.js', import.meta.url).href);
  }
}
