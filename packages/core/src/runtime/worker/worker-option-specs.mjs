// @ts-check
/**
 * The worker's options, declared once. Everything else is derived from this table:
 * - the TypeScript types of `createWorker` and `runWorker` options (worker-options.ts);
 * - their defaults and their validation (worker-options.ts: a `JobbyError` CONFIGURATION_INVALID
 *   naming the option);
 * - the `jobby worker` flags, their help text, and the parsing of their values (the CLI's
 *   command-tree.mjs and worker-flags.ts), which the generated worker program shares.
 *
 * Plain JavaScript with no import, so that `jobby --help` reads it without loading TypeScript or
 * the runtime (see packages/cli/bin/jobby.js).
 *
 * A spec: `kind` (the value's type), `flag` (the command-line flag and its value placeholder; none
 * for options set only in code), `minimum` (integers), `default` (applied by the worker; shown in
 * the help), `defaultDescription` (the help's words for a default that is not one value),
 * `description` (the help text, without the default), and `scope`: `worker` options configure
 * `createWorker`; `program` options configure what `runWorker` does around it (the database,
 * migrations, metrics, the config file).
 */

/**
 * @typedef {object} WorkerOptionSpec
 * @property {'integer' | 'string' | 'list' | 'mode' | 'switch'} kind
 * @property {'worker' | 'program'} scope
 * @property {string} description
 * @property {string} [flag]
 * @property {number} [minimum]
 * @property {number | string} [default]
 * @property {string} [defaultDescription]
 */

/** The creation modes (contract/creation-mode.ts), as a `mode` option accepts them. */
export const workerOptionModes = /** @type {const} */ (['none', 'local', 'production']);

/** In the order `jobby worker --help` lists them. */
export const workerOptionSpecs = /** @type {const} @satisfies {Record<string, WorkerOptionSpec>} */ ({
  concurrency: { kind: 'integer', scope: 'worker', flag: '--concurrency <n>', minimum: 1, default: 10, description: 'handlers running at once' },
  prefetch: { kind: 'integer', scope: 'worker', flag: '--prefetch <n>', minimum: 0, default: 0, description: 'jobs claimed ahead of free slots' },
  plugins: { kind: 'list', scope: 'worker', flag: '--plugins <a,b>', description: 'only these plugins' },
  workersMode: { kind: 'mode', scope: 'worker', flag: '--workers-mode <mode>', default: 'production', description: 'none|local|production: which workers the modules register' },
  jobsMode: { kind: 'mode', scope: 'worker', flag: '--jobs-mode <mode>', default: 'production', description: 'none|local|production: which startup jobs the modules submit' },
  leaseSeconds: {
    kind: 'integer',
    scope: 'worker',
    flag: '--lease-seconds <n>',
    minimum: 2,
    default: 30,
    description: "lease length; a dead worker's jobs run again after it expires",
  },
  shutdownGraceMs: {
    kind: 'integer',
    scope: 'worker',
    flag: '--grace-ms <n>',
    minimum: 0,
    default: 10_000,
    description: 'on SIGTERM, running jobs get this long to finish before being handed back',
  },
  metricsPort: { kind: 'integer', scope: 'program', flag: '--metrics-port <port>', minimum: 0, description: 'serve Prometheus metrics on 127.0.0.1:<port>/metrics' },
  schema: { kind: 'string', scope: 'program', flag: '--schema <name>', defaultDescription: 'jobby, or JOBBY_SCHEMA', description: 'Postgres schema' },
  configFile: {
    kind: 'string',
    scope: 'program',
    flag: '--config <file>',
    defaultDescription: 'jobby.config.json if present',
    description: 'plugin configuration, JSON {"plugins": {"<name>": {...}}}',
  },
  dataDirectory: { kind: 'string', scope: 'worker', flag: '--data-dir <dir>', default: '.jobby/plugins', description: 'where plugins keep local files' },
  skipMigrate: { kind: 'switch', scope: 'program', flag: '--skip-migrate', description: 'do not apply migrations at start' },
  // Set only in code.
  pollIntervalMs: { kind: 'integer', scope: 'worker', minimum: 1, default: 2_000, description: 'poll interval of the workers that set none (notifications wake them sooner)' },
  sweepIntervalMs: { kind: 'integer', scope: 'worker', minimum: 1, default: 5_000, description: "how often to rescue other workers' expired leases" },
  pruneIntervalMs: { kind: 'integer', scope: 'worker', minimum: 1, default: 60_000, description: 'how often to prune expired finished jobs' },
  warmUpConnections: {
    kind: 'integer',
    scope: 'worker',
    minimum: 0,
    default: 4,
    description: 'pooled connections warmed up at start (at most the pool size; 1 on the embedded database; 0: none)',
  },
  maxPayloadBytes: { kind: 'integer', scope: 'worker', minimum: 1, defaultDescription: '1 MiB', description: 'largest input or output a job may have, in bytes of JSON' },
});

/**
 * What a value of the option must be, for error messages: `an integer ≥ 1`.
 *
 * @param {WorkerOptionSpec} spec
 * @returns {string}
 */
export function describeExpectedValue(spec) {
  switch (spec.kind) {
    case 'integer':
      return `an integer ≥ ${spec.minimum ?? 0}`;
    case 'mode':
      return 'none, local or production';
    case 'list':
      return 'a comma-separated list';
    case 'switch':
      return 'true or false';
    default:
      return 'a string';
  }
}

/**
 * The help text of an option: its description and its default.
 *
 * @param {WorkerOptionSpec} spec
 * @returns {string}
 */
export function describeWorkerOption(spec) {
  const defaultText = spec.defaultDescription ?? spec.default;
  return defaultText === undefined ? spec.description : `${spec.description} (default ${defaultText})`;
}
