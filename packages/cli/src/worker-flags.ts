import { Option } from 'commander';
import {
  describeExpectedValue,
  isCreationMode,
  workerOptionSpecs,
  type WorkerOptionName,
  type WorkerOptionSpec,
  type WorkerProgramTunables,
  type WorkerTunables,
} from '@jobby/core';
import { CliError } from './cli-error.js';

/**
 * The worker's flags as commander parsed them (strings, `true` for a switch), keyed by commander's
 * attribute names (`--grace-ms` → `graceMs`).
 */
export type WorkerFlags = Readonly<Record<string, string | boolean | undefined>>;

/**
 * Turns the worker's flags into `runWorker` options, by the one declaration of the worker options
 * (`workerOptionSpecs` of @jobby/core, which the flags themselves come from: command-tree.mjs).
 * Throws a {@link CliError} (exit 2) naming the flag, what it must be, and the value.
 *
 * @example
 * ```ts
 * workerOptionsFromFlags({ concurrency: '4', graceMs: '500', skipMigrate: true });
 * // { concurrency: 4, shutdownGraceMs: 500, skipMigrate: true }
 * workerOptionsFromFlags({ concurrency: 'ten' }); // throws: --concurrency must be an integer ≥ 1, got "ten"
 * ```
 */
export function workerOptionsFromFlags(flags: WorkerFlags): WorkerTunables & WorkerProgramTunables {
  const options: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(workerOptionSpecs) as [WorkerOptionName, WorkerOptionSpec][]) {
    if (spec.flag === undefined) continue;
    const option = new Option(spec.flag);
    const value = flags[option.attributeName()];
    if (value !== undefined) options[name] = parseFlagValue(option.long!, spec, value);
  }
  return options;
}

function parseFlagValue(flag: string, spec: WorkerOptionSpec, value: string | boolean): unknown {
  const refuse = () => new CliError(`${flag} must be ${describeExpectedValue(spec)}, got ${JSON.stringify(value)}`);
  if (spec.kind === 'switch') return value === true;
  if (typeof value !== 'string') throw refuse();
  switch (spec.kind) {
    case 'integer':
      if (!/^\d+$/.test(value) || Number(value) < (spec.minimum ?? 0)) throw refuse();
      return Number(value);
    case 'mode':
      if (!isCreationMode(value)) throw refuse();
      return value;
    case 'list':
      return value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    default:
      return value;
  }
}
