/**
 * The plain-data model codegen works on. `scan` fills it from the type checker; `assignIds`,
 * `verify` and `print` only ever read plain data, so each stage is testable without TypeScript.
 */
import type { SourceLocation } from '../diagnostics.js';

/** A JSON Schema (draft 2020-12) document or sub-schema. */
export type JsonSchema = { [keyword: string]: unknown } | boolean;

/** Where a plugin package was found. */
export type PackageOrigin = 'workspace' | 'installed';

/** A package that declares itself a jobby plugin (`"jobby": { "plugin": "<name>" }`). */
export interface PluginPackage {
  readonly name: string;
  readonly version: string;
  /** The package directory, relative to the project root (posix separators). */
  readonly directory: string;
  /** The plugin name its package.json declares. */
  readonly declaredPlugin: string;
  readonly origin: PackageOrigin;
  /** The file read through the type checker (TS source or `.d.ts`), absolute; undefined when none resolves. */
  readonly entryFile: string | undefined;
}

/** Why a payload type cannot travel as JSON. */
export interface JsonProblem {
  /** Where inside the payload: `.items[].createdAt`, or `` for the whole payload. */
  readonly path: string;
  /** The offending type, as the checker prints it. */
  readonly typeText: string;
  /** `a function`, `a class instance`, `a bigint`… */
  readonly reason: string;
  /** Where the offending property (or type) is declared, when known. */
  readonly location?: SourceLocation;
}

/** An input or output type as codegen understood it. */
export interface PayloadModel {
  readonly typeText: string;
  readonly schema: JsonSchema;
  readonly problems: readonly JsonProblem[];
}

/** How an enum member's value was written. */
export type EnumValueKind = 'literal' | 'missing' | 'not-literal';

export interface EnumMemberModel {
  readonly name: string;
  /** The value when it is a numeric literal (possibly out of range); undefined otherwise. */
  readonly value: number | undefined;
  readonly valueKind: EnumValueKind;
  /** The initializer's text (for messages), when there is one. */
  readonly initializerText?: string;
  readonly location: SourceLocation;
}

/** One job type: an enum member joined with its declaration in `defineJobs({ types })`. */
export interface JobTypeModel {
  /** The enum member name (`FetchAppList`). */
  readonly name: string;
  /** `plugin.Job`. */
  readonly fullName: string;
  readonly member: EnumMemberModel | undefined;
  /** Undefined when the enum member has no declaration. */
  readonly declaration: JobDeclarationModel | undefined;
}

export interface JobDeclarationModel {
  readonly input: PayloadModel;
  readonly output: PayloadModel;
  readonly submittable: boolean;
  readonly description?: string;
  /** Declaration problems that are not about JSON (a non-literal `submittable`…). */
  readonly problems: readonly string[];
  readonly location: SourceLocation;
}

export interface ModuleModel {
  /** The class name, when the `module` property names a class or value. */
  readonly name: string | undefined;
  readonly location: SourceLocation | undefined;
  /** What is missing from the module interface; empty when it implements it. */
  readonly problems: readonly string[];
  /** False when the definition has no usable `module` at all. */
  readonly present: boolean;
}

/** A package this plugin's package names: in a package.json dependency field, or in an import. */
export interface PackageReferenceModel {
  readonly name: string;
  readonly how: 'dependencies' | 'devDependencies' | 'peerDependencies' | 'optionalDependencies' | 'import';
  readonly location: SourceLocation;
}

/** Whether the generated worker program (in the output directory) can import the plugin at run time. */
export interface ImportabilityModel {
  /** The package.json of the package holding the generated files, relative to the root. */
  readonly workerPackageFile: string;
  /** False when `node_modules/<package>` is not found from the output directory up. */
  readonly installed: boolean;
  /** The plugin is in the worker package's dependencies (or is that package). */
  readonly declared: boolean;
  /** What `exports["."]` gives under `@jobby/source`, and whether that file exists. */
  readonly source?: { readonly file: string; readonly exists: boolean };
  /** What it gives to Node without that condition (import/default), and whether that file exists. */
  readonly runtime?: { readonly file: string; readonly exists: boolean };
  /** Where the package's `exports` (or `main`) is written, for messages. */
  readonly exportsLocation: SourceLocation;
}

/**
 * A `schedule(member, { cron, timezone, name, catchUp, … })` call in the plugin's sources, with
 * what could be read as literals (undefined: written as an expression, so not checkable here;
 * the worker checks it at start).
 */
export interface ScheduleModel {
  /** The enum member scheduled. */
  readonly jobName: string;
  /** `default` when not given. */
  readonly name: string | undefined;
  readonly cron: string | undefined;
  /** `UTC` when not given. */
  readonly timezone: string | undefined;
  /** `none`, `last` (when not given), `up-to-N`; or a message when the literal is invalid. */
  readonly catchUp: string | undefined;
  /** Where the call is. */
  readonly location: SourceLocation;
  /** Where the cron (else the call) is, for messages about the cron or the time zone. */
  readonly cronLocation: SourceLocation;
}

/** A limit as written: its value when a numeric literal (undefined: an expression), and where. */
export interface LimitValue {
  readonly value: number | undefined;
  readonly location: SourceLocation;
}

/**
 * A `limit(member, { concurrency, rate: { limit, intervalMs }, group: { concurrency } })` call in
 * the plugin's sources, with each limit as written (issue 19).
 */
export interface LimitModel {
  /** The enum member limited. */
  readonly jobName: string;
  /** False when the options (or `rate`, `group`) are not object literals: nothing is checkable here. */
  readonly literal: boolean;
  readonly concurrency?: LimitValue;
  readonly hasRate?: boolean;
  readonly rateLimit?: LimitValue;
  readonly rateIntervalMs?: LimitValue;
  readonly hasGroup?: boolean;
  readonly groupConcurrency?: LimitValue;
  /** Option names other than concurrency, rate and group. */
  readonly unknownFields: readonly string[];
  /** Where the call is. */
  readonly location: SourceLocation;
}

/** One plugin, as every later stage sees it. */
export interface PluginModel {
  /** The plugin name from the definition's literal type (falls back to package.json's). */
  readonly name: string;
  readonly package: PluginPackage;
  /** The name under which the package entry exports the `PluginDefinition`. */
  readonly exportName: string;
  /** Where that export is declared. */
  readonly location: SourceLocation;
  readonly enumName: string;
  readonly enumLocation: SourceLocation | undefined;
  /** Job types in enum declaration order (declarations without a member come last). */
  readonly jobTypes: readonly JobTypeModel[];
  readonly module: ModuleModel;
  /**
   * The enum members passed to a `register(…)` call anywhere in the package's sources, whatever
   * the mode; undefined when that cannot be seen (a published `.d.ts`, a computed job type).
   */
  readonly registeredJobs?: readonly string[];
  /** The schedules its sources declare (workspace plugins only: a `.d.ts` has no calls). */
  readonly schedules?: readonly ScheduleModel[];
  /** The limits its sources declare (workspace plugins only). */
  readonly limits?: readonly LimitModel[];
  /** The packages this plugin's package names (dependencies and imports). */
  readonly references?: readonly PackageReferenceModel[];
  readonly importability?: ImportabilityModel;
}

/** The whole model of a run. */
export interface CodegenModel {
  /** Sorted by plugin name, then package name. */
  readonly plugins: readonly PluginModel[];
}
