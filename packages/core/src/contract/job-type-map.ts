import type { JobTypeRef } from './define-jobs.js';

/**
 * Every job type of the application, keyed by `plugin.Job`. Empty here: `jobby codegen` augments it
 * (`declare module '@jobby/core' { interface JobTypeMap { … } }`) from the plugins it finds, which
 * makes `submit()` and dependency outputs type-checked across packages without a central enum.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface JobTypeMap {}

/** The shape of one entry of {@link JobTypeMap}. */
export interface JobTypeEntry {
  input: unknown;
  output: unknown;
  submittable: boolean;
}

/** True once codegen has augmented the map. */
type MapIsEmpty = [keyof JobTypeMap] extends [never] ? true : false;

/** A `plugin.Job` name: the generated names once codegen ran, any string before. */
export type JobTypeName = MapIsEmpty extends true ? string : keyof JobTypeMap & string;

type EntryOf<TName> = TName extends keyof JobTypeMap
  ? JobTypeMap[TName] extends JobTypeEntry
    ? JobTypeMap[TName]
    : never
  : JobTypeEntry;

/** Anything that names a job type for the typed client: a `plugin.Job` name or a typed handle. */
export type JobTypeKey = JobTypeName | JobTypeRef<string, unknown, unknown>;

export type InputOf<TKey> = TKey extends JobTypeRef<string, infer I, unknown> ? I : EntryOf<TKey>['input'];
export type OutputOf<TKey> = TKey extends JobTypeRef<string, unknown, infer O> ? O : EntryOf<TKey>['output'];

/** The `plugin.Job` name of a key. */
export function jobTypeNameOf(key: string | JobTypeRef<string, unknown, unknown>): string {
  return typeof key === 'string' ? key : key.name;
}
