import type { JobTypeRef } from './define-jobs.js';

/**
 * Every job type of the application, keyed by `plugin.Job`. Empty here: `jobby codegen` augments it
 * (`declare module '@jobby/core' { interface JobTypeMap { … } }`) from the plugins it finds, which
 * makes `submit()` and dependency outputs type-checked across packages without a central enum.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- empty on purpose: codegen's output augments it (declaration merging needs an interface)
export interface JobTypeMap {}

/** The shape of one entry of {@link JobTypeMap}. */
export interface JobTypeEntry {
  input: unknown;
  output: unknown;
  submittable: boolean;
}

/** True until codegen's augmentation of the map is part of the program. */
type MapIsEmpty = [keyof JobTypeMap] extends [never] ? true : false;

/**
 * The only "name" a program without the generated types accepts: none of the real ones. It exists
 * for its text, which TypeScript prints in the error of a call like `client.submit('steam.Nope', …)`
 * made where the generated `JobTypeMap` is not visible, so the error says how to get it. (Falling
 * back to `string` would let every misspelt name and wrong payload compile.)
 */
export type JobTypeNamesNotGenerated =
  'jobby: no generated job types in this program: run `jobby codegen` and import the generated job-types.ts (in the jobby monorepo: import \'@jobby/worker\'), or name the job by a handle (steamJobs.refs.FetchAppList, or defineExternalJob for another plugin\'s job)';

/**
 * A `plugin.Job` name: one of the generated names once the program includes codegen's
 * `job-types.ts`; before that, no string at all (see {@link JobTypeNamesNotGenerated}).
 */
export type JobTypeName = MapIsEmpty extends true ? JobTypeNamesNotGenerated : keyof JobTypeMap & string;

type EntryOf<TName> = TName extends keyof JobTypeMap ? (JobTypeMap[TName] extends JobTypeEntry ? JobTypeMap[TName] : never) : never;

/**
 * Anything that names a job type for the typed client: a typed handle or a generated `plugin.Job`
 * name. (Written as a conditional so that a compile error prints the union itself, with the hint
 * of {@link JobTypeNamesNotGenerated}, rather than the alias's name.)
 */
export type JobTypeKey = MapIsEmpty extends true
  ? JobTypeRef<string, unknown, unknown> | JobTypeNamesNotGenerated
  : JobTypeRef<string, unknown, unknown> | (keyof JobTypeMap & string);

/** The input type of a job type named by a handle or a generated name (`never` for anything else). */
export type InputOf<TKey> = TKey extends JobTypeRef<string, infer I, unknown> ? I : EntryOf<TKey>['input'];
/** The output type of a job type named by a handle or a generated name (`never` for anything else). */
export type OutputOf<TKey> = TKey extends JobTypeRef<string, unknown, infer O> ? O : EntryOf<TKey>['output'];

/** The `plugin.Job` name of a key. */
export function jobTypeNameOf(key: string | JobTypeRef<string, unknown, unknown>): string {
  return typeof key === 'string' ? key : key.name;
}
