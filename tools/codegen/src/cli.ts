/**
 * `jobby codegen [--check] [--root <dir>] [--out-dir <dir>]`. Exit codes: 0 ok, 1 verification
 * failure or stale output in `--check`, 2 bad usage or a run that could not start.
 */
import { CodegenError, formatDiagnostic } from './diagnostics.js';
import { runCodegen } from './run-codegen.js';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
}

const usage = `usage: jobby codegen [--check] [--root <dir>] [--out-dir <dir>]

  --check          exit 1 with a diff when a generated file or jobby.lock.json is stale
  --root <dir>     start looking for the project root here (default: the current directory)
  --out-dir <dir>  where to write generated files (default: "jobby.outDir" of the root package.json)
`;

const defaultIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
};

/**
 * Runs the codegen command line; `@jobby/cli` calls it for `jobby codegen`.
 *
 * @example
 * ```ts
 * process.exitCode = await runCodegenCli(process.argv.slice(2));
 * ```
 */
export async function runCodegenCli(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let check = false;
  let rootDir = io.cwd;
  let outDir: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--check') check = true;
    else if (argument === '--help' || argument === '-h') {
      io.stdout(usage);
      return 0;
    } else if ((argument === '--root' || argument === '--out-dir') && argv[index + 1] !== undefined && !argv[index + 1]!.startsWith('--')) {
      const value = argv[++index]!;
      if (argument === '--root') rootDir = value;
      else outDir = value;
    } else {
      io.stderr(`jobby codegen: unknown or incomplete argument "${argument}"\n${usage}`);
      return 2;
    }
  }
  let result;
  try {
    result = await runCodegen({ rootDir, check, ...(outDir === undefined ? {} : { outDir }) });
  } catch (error) {
    if (error instanceof CodegenError) {
      io.stderr(`jobby codegen: ${error.code}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const summary = `${result.plugins.length} plugin(s), ${result.plugins.reduce((sum, plugin) => sum + plugin.jobTypes.length, 0)} job type(s)`;
  for (const warning of result.warnings) io.stderr(`${formatDiagnostic(warning)}\n`);
  if (result.stale.length > 0) {
    for (const entry of result.stale) io.stderr(`${entry.diff}\n\n`);
  }
  if (!result.ok) {
    for (const diagnostic of result.diagnostics) io.stderr(`${formatDiagnostic(diagnostic)}\n`);
    io.stderr(check && result.stale.length > 0 ? `jobby codegen --check: ${result.stale.length} file(s) stale\n` : `jobby codegen: ${result.diagnostics.length} problem(s)\n`);
    return 1;
  }
  if (check) io.stdout(`jobby codegen --check: up to date (${summary})\n`);
  else io.stdout(`jobby codegen: ${summary}; ${result.written.length} file(s) written, ${result.deleted.length} deleted (${Math.round(result.timings.total)} ms)\n`);
  return 0;
}
