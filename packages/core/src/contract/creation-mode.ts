/**
 * What a process registers, decided by each module (jobby's semantics).
 *
 * - `none`: nothing (a web process that only submits jobs registers no workers).
 * - `local`: what a developer laptop needs (demo startup jobs, local sinks).
 * - `production`: what a deployed worker needs.
 */
export type CreationMode = 'none' | 'local' | 'production';
export type WorkerCreationMode = CreationMode;
export type JobCreationMode = CreationMode;

export const creationModes: readonly CreationMode[] = ['none', 'local', 'production'];

export function isCreationMode(value: unknown): value is CreationMode {
  return typeof value === 'string' && (creationModes as readonly string[]).includes(value);
}
