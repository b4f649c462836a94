/**
 * `@jobby/core`: the plugin contract, the typed client and the worker runtime.
 * Storage internals are under `@jobby/core/store`.
 */
export * from './contract/index.js';
export { JobbyError, describeError, type JobbyErrorCode, type JobbyErrorOptions } from './errors.js';
export {
  defineRegistry,
  localIdsPerClient,
  type JobbyRegistry,
  type RegisteredJobType,
  type RegistryJobTypeEntry,
  type RegistryOptions,
  type RegistryPluginEntry,
} from './runtime/registry.js';
