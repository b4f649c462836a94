import type { JobTypeRef } from '../contract/define-jobs.js';
import type { AnyPluginDefinition } from '../contract/define-plugin.js';
import type { JsonSchema } from '../contract/json.js';
import { JobbyError } from '../errors.js';

/**
 * The registry the runtime loads at startup: every plugin with its client id and the namespaced id
 * of every job type. `jobby codegen` emits it (the TypeScript stand-in for jobby's `inventory`
 * crate); a hand-written one must have the same shape.
 */

/** One job type as the generated registry lists it. */
export interface RegistryJobTypeEntry {
  /** The namespaced id: `clientId * 1000 + localId`. Stored in Postgres. */
  readonly id: number;
  /** The enum value. */
  readonly localId: number;
  /** The enum member name (`FetchAppList`). */
  readonly name: string;
  readonly submittable: boolean;
  readonly description?: string;
  /** JSON Schema of the input; the runtime validates inputs against it when present. */
  readonly inputSchema?: JsonSchema;
  readonly outputSchema?: JsonSchema;
}

/**
 * A schedule as codegen read it from the plugin's sources (`JobRegistry.schedule` with literal
 * options), for listings before any worker ran it. The worker runs what the module declares.
 */
export interface RegistryScheduleEntry {
  /** The enum member name of the job type (`Report`). */
  readonly type: string;
  readonly name: string;
  readonly cron: string;
  readonly timezone: string;
  /** `none`, `last` or `up-to-N`. */
  readonly catchUp: string;
}

/**
 * Limits as codegen read them from the plugin's sources (`JobRegistry.limit` with literal
 * options), for listings before any worker wrote them. The worker enforces what the module declares.
 */
export interface RegistryLimitEntry {
  /** The enum member name of the job type (`Import`). */
  readonly type: string;
  readonly concurrency?: number;
  readonly rate?: { readonly limit: number; readonly intervalMs: number };
  readonly groupConcurrency?: number;
}

/** One plugin as the generated registry lists it. */
export interface RegistryPluginEntry {
  readonly name: string;
  /** Assigned by codegen and pinned in `jobby.lock.json`. */
  readonly clientId: number;
  readonly packageName: string;
  readonly version: string;
  readonly definition: AnyPluginDefinition;
  readonly jobTypes: readonly RegistryJobTypeEntry[];
  /** The schedules its sources declare with literal options (any mode); absent when none. */
  readonly schedules?: readonly RegistryScheduleEntry[];
  /** The limits its sources declare with literal options (any mode); absent when none. */
  readonly limits?: readonly RegistryLimitEntry[];
}

export interface RegistryOptions {
  readonly plugins: readonly RegistryPluginEntry[];
}

/** A job type resolved from the registry. */
export interface RegisteredJobType extends RegistryJobTypeEntry {
  /** `plugin.Job`. */
  readonly fullName: string;
  readonly plugin: RegistryPluginEntry;
  /**
   * A handle for the typed client when the name is only known at run time (the CLI, the admin
   * API): its input is `unknown` and is checked against the JSON Schema when submitted.
   *
   * @example
   * ```ts
   * await client.submit(registry.require(nameFromTheRequest).ref, key, parsedInput);
   * ```
   */
  readonly ref: JobTypeRef<string, unknown, unknown>;
}

/** Lookups over a verified registry. */
export interface JobbyRegistry {
  readonly plugins: readonly RegistryPluginEntry[];
  readonly jobTypes: readonly RegisteredJobType[];
  /** By namespaced id. */
  byId(id: number): RegisteredJobType | undefined;
  /** By `plugin.Job`. */
  byName(fullName: string): RegisteredJobType | undefined;
  /** By plugin name and enum value. */
  byLocal(plugin: string, localId: number): RegisteredJobType | undefined;
  /** Like `byName`, but throws `UNKNOWN_JOB_TYPE` naming the known types. */
  require(fullName: string): RegisteredJobType;
}

export const localIdsPerClient = 1000;

/**
 * Verifies a registry (again: codegen verified it when emitting, but a hand-written or stale one
 * must not start) and indexes it.
 *
 * @throws JobbyError `REGISTRY_INVALID` naming both sides of any duplicate.
 */
export function defineRegistry(options: RegistryOptions): JobbyRegistry {
  const byId = new Map<number, RegisteredJobType>();
  const byName = new Map<string, RegisteredJobType>();
  const pluginsByName = new Map<string, RegistryPluginEntry>();
  const pluginsByClient = new Map<number, RegistryPluginEntry>();
  const problems: string[] = [];

  for (const plugin of options.plugins) {
    const sameName = pluginsByName.get(plugin.name);
    if (sameName) problems.push(`plugin name "${plugin.name}" is declared by both ${sameName.packageName} and ${plugin.packageName}`);
    pluginsByName.set(plugin.name, plugin);
    const sameClient = pluginsByClient.get(plugin.clientId);
    if (sameClient) problems.push(`client id ${plugin.clientId} is given to both "${sameClient.name}" (${sameClient.packageName}) and "${plugin.name}" (${plugin.packageName})`);
    pluginsByClient.set(plugin.clientId, plugin);
    if (!Number.isInteger(plugin.clientId) || plugin.clientId < 1) problems.push(`plugin "${plugin.name}" has an invalid client id ${plugin.clientId}`);
    if (plugin.definition?.kind !== 'jobby.plugin') {
      problems.push(`plugin "${plugin.name}" (${plugin.packageName}): its definition is not the result of definePlugin()`);
      continue;
    }
    if (plugin.definition.name !== plugin.name) {
      problems.push(`plugin "${plugin.name}" (${plugin.packageName}): the registry names it "${plugin.name}" but its definition says "${plugin.definition.name}"; run jobby codegen`);
    }
    const declared = new Map<string, number>();
    for (const [member, value] of Object.entries(plugin.definition.jobs.enum)) {
      if (typeof value === 'number') declared.set(member, value);
    }
    for (const entry of plugin.jobTypes) {
      const fullName = `${plugin.name}.${entry.name}`;
      if (entry.id !== plugin.clientId * localIdsPerClient + entry.localId) {
        problems.push(`${fullName}: id ${entry.id} is not clientId ${plugin.clientId} × ${localIdsPerClient} + localId ${entry.localId}`);
      }
      const declaredValue = declared.get(entry.name);
      if (declaredValue === undefined) {
        problems.push(`${fullName} is in the registry but not in the plugin's enum; run jobby codegen`);
      } else if (declaredValue !== entry.localId) {
        problems.push(`${fullName} has local id ${entry.localId} in the registry but ${declaredValue} in the plugin's enum; run jobby codegen`);
      }
      declared.delete(entry.name);
      const ref: JobTypeRef<string, unknown, unknown> = Object.freeze({ kind: 'jobby.job-type', name: fullName, plugin: plugin.name, job: entry.name, localId: entry.localId });
      const registered: RegisteredJobType = Object.freeze({ ...entry, fullName, plugin, ref });
      const sameId = byId.get(entry.id);
      if (sameId) problems.push(`job type id ${entry.id} is given to both ${sameId.fullName} and ${fullName}`);
      byId.set(entry.id, registered);
      if (byName.has(fullName)) problems.push(`job type ${fullName} is listed twice`);
      byName.set(fullName, registered);
    }
    for (const member of declared.keys()) {
      problems.push(`${plugin.name}.${member} is in the plugin's enum but not in the registry; run jobby codegen`);
    }
  }
  if (problems.length > 0) {
    throw new JobbyError('REGISTRY_INVALID', `the job registry is invalid:\n- ${problems.join('\n- ')}`, { details: { problems } });
  }
  const jobTypes = [...byId.values()].sort((a, b) => a.id - b.id);
  return {
    plugins: options.plugins,
    jobTypes,
    byId: (id) => byId.get(id),
    byName: (fullName) => byName.get(fullName),
    byLocal: (plugin, localId) => {
      const entry = pluginsByName.get(plugin);
      return entry ? byId.get(entry.clientId * localIdsPerClient + localId) : undefined;
    },
    require(fullName) {
      const found = byName.get(fullName);
      if (found) return found;
      throw new JobbyError('UNKNOWN_JOB_TYPE', `unknown job type "${fullName}"; known: ${jobTypes.map((t) => t.fullName).join(', ') || 'none'}`, {
        details: { type: fullName },
      });
    },
  };
}
