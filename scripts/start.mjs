#!/usr/bin/env node
// `npm start`: the quick start. Runs codegen, applies migrations, starts the worker with the example
// plugins in local mode and the admin UI, and reports when the steam sentinel workflow succeeded.
// Without DATABASE_URL everything runs on the embedded database in .jobby/data, which the worker
// serves on a local port: `jobby jobs list` and friends work from another terminal meanwhile.
//
//   npm start                          admin UI on 127.0.0.1:4280 (or any free port if taken)
//   npm start -- --admin-port 5000     another port
//   JOBBY_LOG_LEVEL=info npm start     the worker's JSON logs (default here: warn)
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const jobby = fileURLToPath(new URL('../packages/cli/bin/jobby.js', import.meta.url));
const env = { ...process.env, JOBBY_LOG_LEVEL: process.env.JOBBY_LOG_LEVEL || 'warn' };

function parseAdminPort(argv) {
  const index = argv.indexOf('--admin-port');
  if (index < 0) return undefined;
  const value = argv[index + 1];
  if (!/^\d+$/.test(value ?? '') || Number(value) > 65_535) {
    process.stderr.write(`npm start: --admin-port must be a port number, got ${JSON.stringify(value ?? '')}\n`);
    process.exit(2);
  }
  return Number(value);
}

function run(args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [jobby, ...args], { cwd: root, env, stdio: options.capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => (stdout += chunk));
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), stdout, stderr }));
  });
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function newestModification(directory) {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const file = path.join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestModification(file) : statSync(file).mtimeMs);
  }
  return newest;
}

const step = (text) => process.stdout.write(`\n▸ ${text}\n`);

const requestedPort = parseAdminPort(process.argv.slice(2));
const adminPort = requestedPort ?? ((await portIsFree(4280)) ? 4280 : 0);
const where = process.env.DATABASE_URL ? `Postgres (${process.env.DATABASE_URL.replace(/:[^:@/]+@/, ':***@')})` : `the embedded database (${process.env.JOBBY_DATA_DIR || '.jobby/data'})`;

// The admin UI is served from its built assets; build them on the first run (and after UI changes).
const uiSources = fileURLToPath(new URL('../packages/admin/src/ui', import.meta.url));
const uiIndex = fileURLToPath(new URL('../packages/admin/dist/ui/index.html', import.meta.url));
if (newestModification(uiSources) > (existsSync(uiIndex) ? statSync(uiIndex).mtimeMs : 0)) {
  step('building the admin UI (vite build)');
  const built = await new Promise((resolve) => {
    // Always the production build: a NODE_ENV of the shell (development) or of a test runner (test)
    // would give React's development build, twice the size and slower.
    const child = spawn('npm', ['run', 'build:ui', '--workspace', '@jobby/admin', '--silent'], { cwd: root, env: { ...env, NODE_ENV: 'production' }, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', () => resolve(1));
    child.on('exit', (code) => resolve(code ?? 1));
  });
  if (built !== 0) process.stderr.write('npm start: the admin UI could not be built; the API still runs (see the error above)\n');
}

step('jobby codegen');
let result = await run(['codegen']);
if (result.code !== 0) process.exit(result.code);

step(`jobby migrate — ${where}`);
result = await run(['migrate']);
if (result.code !== 0) process.exit(result.code);

step('jobby worker --workers-mode local --jobs-mode local (steam, email, metrics) with the admin UI');
const worker = spawn(process.execPath, [jobby, 'worker', '--workers-mode', 'local', '--jobs-mode', 'local', '--admin-port', String(adminPort)], {
  cwd: root,
  env,
  stdio: 'inherit',
});
let workerExit;
const exited = new Promise((resolve) => worker.on('exit', (code, signal) => resolve((workerExit = code ?? (signal ? 1 : 0)))));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => worker.kill(signal));

// On the embedded database, the worker should own it before the first CLI call: a CLI process that
// found no owner would serve it itself, and when it exited the worker would take it over (see the
// README), reopening the directory for every such call. Waiting avoids that back and forth.
if (!process.env.DATABASE_URL) {
  const dataDir = path.resolve(root, process.env.JOBBY_DATA_DIR || '.jobby/data');
  const lockFile = path.join(path.dirname(dataDir), `${path.basename(dataDir)}.embedded.json`);
  const ownedBy = () => {
    try {
      return JSON.parse(readFileSync(lockFile, 'utf8')).state === 'ready';
    } catch {
      return false;
    }
  };
  const ownerDeadline = Date.now() + 120_000;
  while (workerExit === undefined && !ownedBy() && Date.now() < ownerDeadline) await new Promise((resolve) => setTimeout(resolve, 200));
}

// Follow the sentinel workflow through the CLI, exactly as a user in another terminal would.
const deadline = Date.now() + 180_000;
let reported = false;
while (workerExit === undefined && Date.now() < deadline) {
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 1_500))]);
  if (workerExit !== undefined) break;
  const shown = await run(['jobs', 'show', 'steam.ProcessAppList', 'sentinel', '--json'], { capture: true });
  if (shown.code !== 0) continue;
  const job = JSON.parse(shown.stdout);
  if (job.state === 'succeeded') {
    const { total, unique, longestName } = job.output;
    step(`steam sentinel workflow succeeded: FetchAppList:sentinel → ProcessAppList:sentinel (${total} apps, ${unique} distinct; longest name "${longestName?.name}")`);
    process.stdout.write('  Try in another terminal: npx jobby jobs list   ·   Ctrl-C stops the worker.\n');
    reported = true;
    break;
  }
  if (job.state === 'failed' || job.state === 'cancelled') {
    step(`steam sentinel workflow ${job.state}: ${job.lastError?.message ?? 'see jobby jobs show steam.ProcessAppList sentinel'}`);
    reported = true;
    break;
  }
}
if (!reported && workerExit === undefined) step('the steam sentinel workflow has not finished yet; see `npx jobby jobs show steam.ProcessAppList sentinel`');
process.exit(await exited);
