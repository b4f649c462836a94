import type { Logger } from 'pino';
import type { CreationMode } from '../../contract/creation-mode.js';
import { isCreationMode } from '../../contract/creation-mode.js';
import { JobbyError } from '../../errors.js';
import type { JobbyDatabase } from '../../store/database.js';
import type { JobbyRegistry } from '../registry.js';
import { describeExpectedValue, workerOptionSpecs, type WorkerOptionSpec } from './worker-option-specs.mjs';

/**
 * The worker's options as TypeScript sees them: types, defaults and validation derived from the
 * one table in worker-option-specs.mjs (which the CLI's flags come from too). Options that are not
 * tunables — the database, the registry, a logger — are declared here, once.
 */

export { describeExpectedValue, describeWorkerOption, workerOptionModes, workerOptionSpecs, type WorkerOptionSpec } from './worker-option-specs.mjs';

type Specs = typeof workerOptionSpecs;

/** The name of a tunable: `concurrency`, `leaseSeconds`, … */
export type WorkerOptionName = keyof Specs;

type ValueOf<Spec> = Spec extends { kind: 'integer' }
  ? number
  : Spec extends { kind: 'list' }
    ? readonly string[]
    : Spec extends { kind: 'mode' }
      ? CreationMode
      : Spec extends { kind: 'switch' }
        ? boolean
        : string;

type ScopedValues<Scope> = { [Name in keyof Specs as Specs[Name]['scope'] extends Scope ? Name : never]?: ValueOf<Specs[Name]> };

/** Every tunable of the worker loop (`scope: 'worker'` in the table), each optional. */
export type WorkerTunables = ScopedValues<'worker'>;

/** Every tunable of `runWorker` around the loop (`scope: 'program'`): schema, config file, metrics, migrations. */
export type WorkerProgramTunables = ScopedValues<'program'>;

/** The tunables that have a default, with the default applied. */
export type ResolvedWorkerTunables = Required<Pick<WorkerTunables, { [Name in keyof WorkerTunables]-?: Specs[Name] extends { default: unknown } ? Name : never }[keyof WorkerTunables]>> &
  WorkerTunables;

/** What `createWorker` takes: the tunables (see worker-option-specs.mjs) and what only code can pass. */
export interface WorkerOptions extends WorkerTunables {
  database: JobbyDatabase;
  registry: JobbyRegistry;
  logger?: Logger;
  workerId?: string;
  /** Per-plugin configuration sections, passed to each module's initializer. */
  pluginConfig?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /**
   * How the notification connection is checked (store notifications wake workers and cancel
   * jobs): a round trip every `intervalMs` that must answer within `timeoutMs`, else the connection
   * is replaced, so that one a network silently dropped is noticed in seconds (see
   * notification-listener.ts). Default 3,000 and 2,000 ms.
   */
  notificationHealthCheck?: { intervalMs?: number; timeoutMs?: number };
}

/**
 * Checks every tunable set in `options` against its spec and applies the defaults; throws a
 * `JobbyError` CONFIGURATION_INVALID naming the first bad one. Options absent from the table
 * (the database, a logger…) pass through untouched.
 *
 * @example
 * ```ts
 * resolveWorkerOptions({ concurrency: 0 }); // throws: concurrency must be an integer ≥ 1, got 0
 * resolveWorkerOptions({}).leaseSeconds;    // 30
 * ```
 */
export function resolveWorkerOptions<Options extends WorkerTunables & WorkerProgramTunables>(options: Options): Options & ResolvedWorkerTunables {
  const resolved: Record<string, unknown> = { ...options };
  for (const [name, spec] of Object.entries(workerOptionSpecs) as [WorkerOptionName, WorkerOptionSpec][]) {
    const value = resolved[name];
    if (value === undefined) {
      if (spec.default !== undefined) resolved[name] = spec.default;
      continue;
    }
    if (!isValidValue(spec, value)) {
      throw new JobbyError('CONFIGURATION_INVALID', `${name} must be ${describeExpectedValue(spec)}, got ${JSON.stringify(value) ?? String(value)}`, { details: { option: name } });
    }
  }
  return resolved as Options & ResolvedWorkerTunables;
}

function isValidValue(spec: WorkerOptionSpec, value: unknown): boolean {
  switch (spec.kind) {
    case 'integer':
      return Number.isInteger(value) && (value as number) >= (spec.minimum ?? 0);
    case 'mode':
      return isCreationMode(value);
    case 'list':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    case 'switch':
      return typeof value === 'boolean';
    default:
      return typeof value === 'string';
  }
}
