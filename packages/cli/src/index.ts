/**
 * `@jobby/cli`: the `jobby` command line. Programmatic use: `runCli(argv)` resolves to the exit
 * code. The `--json` output contracts are the types {@link JobSummaryJson} and {@link JobDetailJson}.
 *
 * `@jobby/cli/worker-program` is the light entry a generated worker program runs
 * (`runWorkerProgram({ registry, argv })`: the worker flags and the graceful stop on SIGTERM/SIGINT,
 * without the rest of the CLI).
 */
export { runCli, createProgram, type CommandContext } from './program.js';
export { CliError, exitCodes } from './cli-error.js';
export type { CliIo } from './io.js';
export type { AttemptJson, JobDetailJson, JobEdgeJson, JobSummaryJson } from './job-json.js';
export { findProject, loadRegistry, registryFile, type ProjectLocation } from './project.js';
