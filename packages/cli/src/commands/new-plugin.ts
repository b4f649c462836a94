import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { discoverPackages, expandWorkspaces, findProjectRoot, formatDiagnostic, parseLock, runCodegen, type ProjectRoot } from '@jobby/codegen';
import { pluginNamePattern } from '@jobby/core';
import { CliError, exitCodes } from '../cli-error.js';
import { pluginFiles } from '../new-plugin/plugin-template.js';
import type { CommandContext } from '../program.js';

/**
 * `jobby new plugin <name>`: writes a complete plugin package, makes it a workspace of the project
 * and a dependency of the package that holds the generated worker program, runs `npm install` (so
 * the worker can import it) and `jobby codegen` (so it is in the registry). After it,
 * `jobby worker --jobs-mode local` runs the plugin's example job, with no other step. Everything is
 * checked before anything is written: a taken or invalid name, or an existing directory, is refused
 * with one line and exit code 2.
 */

export interface NewPluginFlags {
  dir?: string;
  package?: string;
  skipInstall?: boolean;
}

type PackageJson = Record<string, unknown>;

function readPackageJson(file: string): PackageJson {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
  } catch (error) {
    throw new CliError(`${file}: ${(error as Error).message}`, exitCodes.failed, { cause: error });
  }
}

function writePackageJson(file: string, value: PackageJson): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** The package that holds the generated worker program: the nearest package.json above `outDir`. */
function workerPackageDirectory(project: ProjectRoot): string {
  for (let directory = project.outDir; ; directory = path.dirname(directory)) {
    if (existsSync(path.join(directory, 'package.json'))) return directory;
    if (directory === project.directory || path.dirname(directory) === directory) return project.directory;
  }
}

/** `@scope/` of the root package, else of the worker package, else none. */
function defaultScope(project: ProjectRoot, workerPackage: PackageJson): string {
  for (const name of [project.packageJson['name'], workerPackage['name']]) {
    if (typeof name === 'string' && name.startsWith('@') && name.includes('/')) return `${name.slice(0, name.indexOf('/'))}/`;
  }
  return '';
}

/** The installed `@jobby/core`'s version (the plugin's peer dependency follows it). */
function coreVersion(project: ProjectRoot): string {
  const file = path.join(project.directory, 'node_modules/@jobby/core/package.json');
  const version = existsSync(file) ? readPackageJson(file)['version'] : undefined;
  if (typeof version !== 'string') throw new CliError(`@jobby/core is not installed in ${project.directory}; run npm install @jobby/core first`, exitCodes.usage);
  return version;
}

function run(command: string, args: readonly string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolve({ code: 1, output: `${command}: ${error.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

const sortKeys = (record: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** `jobby new plugin <name> [--dir DIR] [--package NAME] [--skip-install]`. */
export async function newPluginAction(name: string, flags: NewPluginFlags, context: CommandContext): Promise<void> {
  const out = (text: string) => context.io.stdout(`${text}\n`);
  if (!pluginNamePattern.test(name)) {
    throw new CliError(`<name> must be lowercase letters, digits, - and _, starting with a letter (job types are named <name>.Job), got ${JSON.stringify(name)}`);
  }
  let project: ProjectRoot;
  try {
    project = findProjectRoot(context.io.cwd);
  } catch (error) {
    throw new CliError(`${(error as Error).message}; run jobby new plugin inside your project`, exitCodes.usage, { cause: error });
  }
  const relativeDirectory = (flags.dir ?? `plugins/${name}`).replace(/\/+$/, '');
  const directory = path.resolve(project.directory, relativeDirectory);
  const shownDirectory = path.relative(project.directory, directory).split(path.sep).join('/');
  if (existsSync(directory)) throw new CliError(`--dir: ${shownDirectory} already exists; pick another --dir or remove it`);
  if (shownDirectory.startsWith('..') || path.isAbsolute(shownDirectory)) throw new CliError(`--dir: ${relativeDirectory} is outside the project ${project.directory}`);

  const discovered = discoverPackages(project);
  const sameName = discovered.packages.find((candidate) => candidate.declaredPlugin === name);
  if (sameName) throw new CliError(`<name>: plugin "${name}" already exists: ${sameName.name} (${sameName.directory}); pick another name`);
  if (existsSync(project.lockFile)) {
    const pinned = parseLock(readFileSync(project.lockFile, 'utf8'), 'jobby.lock.json').loaded.lock.plugins[name];
    if (pinned) throw new CliError(`<name>: plugin "${name}" is in jobby.lock.json${pinned.removed ? ' (removed; its ids stay retired)' : ''} as ${pinned.package}; pick another name`);
  }
  const workerDirectory = workerPackageDirectory(project);
  const workerFile = path.join(workerDirectory, 'package.json');
  const workerPackage = readPackageJson(workerFile);
  const packageName = flags.package ?? `${defaultScope(project, workerPackage)}${name}`;
  if (!/^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/.test(packageName)) throw new CliError(`--package must be an npm package name, got ${JSON.stringify(packageName)}`);
  const workspaceNames = expandWorkspaces(project.directory, project.workspaces).map((workspace) => readPackageJson(path.join(workspace, 'package.json'))['name']);
  if (workspaceNames.includes(packageName) || project.packageJson['name'] === packageName) throw new CliError(`--package: ${packageName} is already a package of this project; pass another --package`);
  const version = coreVersion(project);

  // Write the package.
  const baseTsconfig = path.join(project.directory, 'tsconfig.base.json');
  const files = pluginFiles({
    plugin: name,
    packageName,
    coreVersion: version,
    baseTsconfig: existsSync(baseTsconfig) ? path.relative(directory, baseTsconfig).split(path.sep).join('/') : undefined,
  });
  for (const [file, content] of files) {
    mkdirSync(path.dirname(path.join(directory, file)), { recursive: true });
    writeFileSync(path.join(directory, file), content);
  }
  out(`jobby new plugin: wrote ${shownDirectory}/ (${packageName}): ${[...files.keys()].join(', ')}`);

  // A workspace of the project, and a dependency of the worker program's package.
  const rootFile = path.join(project.directory, 'package.json');
  if (!expandWorkspaces(project.directory, project.workspaces).includes(directory)) {
    const root = readPackageJson(rootFile);
    const workspaces = Array.isArray(root['workspaces']) ? (root['workspaces'] as string[]) : [];
    writePackageJson(rootFile, { ...root, workspaces: [...workspaces, shownDirectory] });
    out(`jobby new plugin: added ${shownDirectory} to "workspaces" of package.json`);
  }
  const worker = readPackageJson(workerFile);
  const dependencies = { ...((worker['dependencies'] as Record<string, string> | undefined) ?? {}), [packageName]: '0.1.0' };
  writePackageJson(workerFile, { ...worker, dependencies: sortKeys(dependencies) });
  out(`jobby new plugin: added ${packageName} to the dependencies of ${path.relative(project.directory, workerFile).split(path.sep).join('/') || 'package.json'} (the worker program's package)`);

  if (flags.skipInstall) {
    out('jobby new plugin: next, run npm install, then npx jobby codegen');
    return;
  }
  out('jobby new plugin: npm install');
  const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], project.directory);
  if (installed.code !== 0) {
    context.io.stderr(installed.output);
    throw new CliError(`npm install failed (above); the package is written: fix the cause, then run npm install and npx jobby codegen`, exitCodes.failed);
  }
  out('jobby new plugin: jobby codegen');
  const generated = await runCodegen({ rootDir: project.directory });
  for (const diagnostic of generated.diagnostics) context.io.stderr(`${formatDiagnostic(diagnostic)}\n`);
  if (!generated.ok) throw new CliError(`jobby codegen found ${generated.diagnostics.length} problem(s) (above); fix them and run npx jobby codegen`, exitCodes.failed);
  out(`jobby new plugin: ${name}.Greet is in the registry (${generated.written.length} file(s) written). Next: npx jobby worker --jobs-mode local   (runs ${name}.Greet:example)`);
}
