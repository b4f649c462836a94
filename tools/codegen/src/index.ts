/**
 * `@jobby/codegen`: finds jobby plugins (workspace sources and installed `.d.ts`), assigns
 * namespaced job type ids pinned in `jobby.lock.json`, verifies them, and prints the registry,
 * the `JobTypeMap` augmentation, JSON Schemas and the worker entry. Stages: scan → model →
 * verify → print; {@link runCodegen} runs them all.
 */
export { runCodegen, type CodegenOptions, type CodegenResult, type StaleFile } from './run-codegen.js';
export { runCodegenCli, type CliIo } from './cli.js';
export {
  CodegenError,
  createDiagnostic,
  createWarning,
  formatDiagnostic,
  isWarning,
  formatLocation,
  type CodegenDiagnostic,
  type CodegenDiagnosticCode,
  type SourceLocation,
} from './diagnostics.js';
export { scan, type ScanResult } from './scan/scan.js';
export { discoverPackages, expandWorkspaces, type DiscoverResult } from './scan/discover-packages.js';
export { findProjectRoot, type ProjectRoot } from './scan/project-root.js';
export { typeToSchema } from './scan/type-to-schema.js';
export { buildModel } from './model/build-model.js';
export { assignIds, type IdAssignment } from './model/assign-ids.js';
export { parseLock, printLock, type LockFile, type LockPlugin, type LoadedLock } from './model/lock-file.js';
export type * from './model/model.js';
export { verify, type VerifyParams } from './verify/verify.js';
export { print } from './print/print.js';
export { unifiedDiff } from './diff.js';
