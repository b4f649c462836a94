import { JobbyError } from '../errors.js';
import type { JsonValue } from './json.js';
import type { Payload, PayloadType } from './payload.js';

/** An enum object as TypeScript emits it (numeric enums also carry a reverse mapping). */
export type EnumObject = Record<string, string | number>;

/** The member names of a numeric enum, without its reverse-mapping keys. */
export type EnumMemberName<TEnum extends EnumObject> = {
  [K in keyof TEnum]: TEnum[K] extends number ? K : never;
}[keyof TEnum] &
  string;

/** The enum member whose value type is `TValue`. */
export type EnumMemberOf<TEnum extends EnumObject, TValue> = {
  [K in EnumMemberName<TEnum>]: TEnum[K] extends TValue ? K : never;
}[EnumMemberName<TEnum>];

/** What a plugin declares about one job type. */
export interface JobTypeDeclaration {
  /** The type of the job's input. */
  readonly input: Payload<unknown>;
  /** The type of the job's output; `void` output when omitted. */
  readonly output?: Payload<unknown>;
  /** Whether people may submit it from the admin UI and the CLI. Defaults to `false`. */
  readonly submittable?: boolean;
  /** One sentence shown in the admin UI. */
  readonly description?: string;
}

export type JobTypeDeclarations<TEnum extends EnumObject> = {
  readonly [K in EnumMemberName<TEnum>]: JobTypeDeclaration;
};

/** A job type's input type from its declaration. */
export type DeclaredInput<D> = D extends { input: infer P } ? PayloadType<P> : never;
/** A job type's output type from its declaration (`null` when it declares none). */
export type DeclaredOutput<D> = D extends { output: infer P } ? PayloadType<P> : null;

/**
 * A typed handle on one job type, usable from any package that imports the plugin: the typed
 * client accepts it wherever it accepts a `'plugin.Job'` name.
 */
export interface JobTypeRef<TName extends string = string, TInput = unknown, TOutput = unknown> {
  readonly kind: 'jobby.job-type';
  /** `plugin.Job`, the name people see and the key of the generated type map. */
  readonly name: TName;
  readonly plugin: string;
  readonly job: string;
  /** The enum value; undefined for a handle made by `defineExternalJob` (another plugin's job). */
  readonly localId: number | undefined;
  /** Type-level only. */
  readonly __types?: { input: TInput; output: TOutput };
}

/** The job types of one plugin, as returned by {@link defineJobs}. */
export interface PluginJobs<
  TPlugin extends string = string,
  TEnum extends EnumObject = EnumObject,
  TTypes extends JobTypeDeclarations<TEnum> = JobTypeDeclarations<TEnum>,
> {
  readonly kind: 'jobby.plugin-jobs';
  readonly plugin: TPlugin;
  readonly enum: TEnum;
  readonly types: TTypes;
  /** One typed handle per job type, keyed by enum member name. */
  readonly refs: {
    readonly [K in EnumMemberName<TEnum>]: JobTypeRef<
      `${TPlugin}.${K}`,
      DeclaredInput<TTypes[K]>,
      DeclaredOutput<TTypes[K]>
    >;
  };
  /** The member name of an enum value, or undefined when the value is not a member. */
  memberName(value: number): EnumMemberName<TEnum> | undefined;
  /** The group key functions, by member name (see {@link DefineJobsOptions.groupKeys}). */
  readonly groupKeys?: Readonly<Record<string, GroupKeyFunction>>;
}

/** A job type's group key: computed from the input by every submitter (the typed client). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the group key of any job type, whatever its input: called only with inputs the client validated for that type
export type GroupKeyFunction = (input: any) => string;

/** One group key function per job type that has groups, typed by its input. */
export type GroupKeys<TTypes> = { readonly [K in keyof TTypes]?: (input: DeclaredInput<TTypes[K]>) => string };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the job declarations of any plugin (any enum, any payload types), as registries hold them side by side
export type AnyPluginJobs = PluginJobs<string, any, any>;

/** The enum values of a plugin's job types. */
export type JobEnumValue<TJobs extends AnyPluginJobs> = TJobs['enum'][EnumMemberName<TJobs['enum']>];

/** The declaration of the job type an enum value names. */
export type DeclarationOf<TJobs extends AnyPluginJobs, TValue> = TJobs['types'][EnumMemberOf<TJobs['enum'], TValue>];
export type InputOfValue<TJobs extends AnyPluginJobs, TValue> = DeclaredInput<DeclarationOf<TJobs, TValue>>;
export type OutputOfValue<TJobs extends AnyPluginJobs, TValue> = DeclaredOutput<DeclarationOf<TJobs, TValue>>;

export const pluginNamePattern = /^[a-z][a-z0-9_-]{0,62}$/;
export const maxLocalId = 999;

export interface DefineJobsOptions<TPlugin extends string, TEnum extends EnumObject, TTypes> {
  /** The plugin's unique name: lowercase, used in `plugin.Job` names. */
  readonly plugin: TPlugin;
  /** A TypeScript `enum` with explicit numeric values 0–999 (the local IDs). */
  readonly enum: TEnum;
  /** One declaration per enum member; a member without one is a compile error. */
  readonly types: TTypes;
  /**
   * Per-key groups (issue 19): for a job type, the function that names its group from its input
   * (a tenant id, an account). Every submitter computes it (the typed client, from the typed
   * input) and stores it with the job; `JobRegistry.limit(type, { group: { concurrency } })` or
   * `jobby types limit --group` then lets at most that many of one group's jobs run at once. It
   * must return a non-empty string (at most 512 UTF-16 units); one that throws or returns
   * anything else fails the submission with `GROUP_KEY_INVALID`.
   */
  readonly groupKeys?: GroupKeys<TTypes>;
}

/**
 * Declares a plugin's job types: a numeric `enum` (explicit values are the local IDs) and the
 * input and output type of each member.
 *
 * @example
 * ```ts
 * export enum SteamJob { FetchAppList = 0, ProcessAppList = 1 }
 * export const steamJobs = defineJobs({
 *   plugin: 'steam',
 *   enum: SteamJob,
 *   types: {
 *     FetchAppList: { input: payload<{ url: string }>(), output: payload<AppList>() },
 *     ProcessAppList: { input: payload<{}>(), output: payload<{ processed: number }>(), submittable: true },
 *   },
 * });
 * ```
 */
export function defineJobs<
  const TPlugin extends string,
  TEnum extends EnumObject,
  const TTypes extends JobTypeDeclarations<TEnum>,
>(options: DefineJobsOptions<TPlugin, TEnum, TTypes>): PluginJobs<TPlugin, TEnum, TTypes> {
  const { plugin, enum: enumObject, types } = options;
  const groupKeys: Record<string, GroupKeyFunction> = {};
  for (const [member, groupKey] of Object.entries(options.groupKeys ?? {})) {
    if (groupKey === undefined) continue;
    if (typeof groupKey !== 'function') throw new JobbyError('REGISTRY_INVALID', `groupKeys.${member} of plugin "${plugin}" must be a function of the input`);
    if (typeof enumObject[member] !== 'number') throw new JobbyError('REGISTRY_INVALID', `groupKeys.${member} of plugin "${plugin}" names no member of its enum`);
    groupKeys[member] = groupKey as GroupKeyFunction;
  }
  if (!pluginNamePattern.test(plugin)) {
    throw new JobbyError('REGISTRY_INVALID', `plugin name "${plugin}" must match ${pluginNamePattern}`);
  }
  const byValue = new Map<number, string>();
  const refs: Record<string, JobTypeRef> = {};
  for (const [member, value] of Object.entries(enumObject)) {
    if (typeof value !== 'number') continue;
    if (!Number.isInteger(value) || value < 0 || value > maxLocalId) {
      throw new JobbyError('REGISTRY_INVALID', `${plugin}.${member} has local id ${value}; local ids are integers 0–${maxLocalId}`);
    }
    const existing = byValue.get(value);
    if (existing !== undefined) {
      throw new JobbyError('REGISTRY_INVALID', `${plugin}.${member} and ${plugin}.${existing} share the local id ${value}`);
    }
    byValue.set(value, member);
    if (!(member in (types as object))) {
      throw new JobbyError('REGISTRY_INVALID', `${plugin}.${member} has no declaration in defineJobs({ types })`);
    }
    refs[member] = Object.freeze({ kind: 'jobby.job-type', name: `${plugin}.${member}`, plugin, job: member, localId: value });
  }
  if (byValue.size === 0) {
    throw new JobbyError('REGISTRY_INVALID', `plugin "${plugin}" declares no job types (its enum needs numeric members)`);
  }
  return Object.freeze({
    kind: 'jobby.plugin-jobs',
    plugin,
    enum: enumObject,
    types,
    refs: Object.freeze(refs),
    memberName: (value: number) => byValue.get(value),
    groupKeys: Object.freeze(groupKeys),
  }) as unknown as PluginJobs<TPlugin, TEnum, TTypes>;
}

/** Ensures a value is a JSON value at compile time. */
export type AssertJson<T extends JsonValue> = T;
