/**
 * The one diagnostic type of `jobby codegen`. Every problem a run finds is collected as a
 * {@link CodegenDiagnostic} with a stable `code`, so that a run reports all of them at once and
 * tests (and people) can match on the code rather than on the message.
 */

import { JobbyError, type JobbyErrorOptions } from '@jobby/core/errors';
import { compareText } from './compare-text.js';

/** Stable diagnostic codes. Never rename one. */
export type CodegenDiagnosticCode =
  // discovery and reading
  | 'ROOT_NOT_FOUND'
  | 'PACKAGE_INVALID'
  | 'PLUGIN_ENTRY_MISSING'
  | 'PLUGIN_DEFINITION_MISSING'
  | 'PLUGIN_DEFINITION_AMBIGUOUS'
  | 'PLUGIN_NAME_INVALID'
  | 'PLUGIN_NAME_MISMATCH'
  | 'PLUGIN_ENUM_INVALID'
  | 'JOB_DECLARATION_INVALID'
  // verification
  | 'DUPLICATE_PLUGIN_NAME'
  | 'DUPLICATE_ENUM_VALUE'
  | 'ENUM_VALUE_MISSING'
  | 'ENUM_VALUE_NOT_LITERAL'
  | 'ENUM_VALUE_OUT_OF_RANGE'
  | 'DUPLICATE_JOB_NAME'
  | 'ID_CHANGED'
  | 'TOMBSTONE_REUSED'
  | 'LOCK_INVALID'
  | 'MODULE_MISSING'
  | 'MODULE_INVALID'
  | 'PAYLOAD_NOT_JSON'
  | 'PLUGIN_NOT_INSTALLED'
  | 'PLUGIN_NOT_BUILT'
  | 'PLUGIN_DEPENDS_ON_PLUGIN'
  | 'SCHEDULE_INVALID'
  | 'LIMIT_INVALID'
  // warnings: the output is written, the message says what to do
  | 'PLUGIN_NOT_A_DEPENDENCY'
  | 'HANDLER_MISSING'
  // --check
  | 'STALE_OUTPUT';

/** Where something is declared: a path relative to the project root, and a 1-based line. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/** One problem found by a run. `file`/`line` point at the first side; the message names both. */
export interface CodegenDiagnostic {
  readonly code: CodegenDiagnosticCode;
  /** `warning`: reported, but the output is still written. Default `error`. */
  readonly severity?: 'error' | 'warning';
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
}

/** `path:line` for messages. */
export function formatLocation(location: SourceLocation | undefined): string {
  return location ? `${location.file}:${location.line}` : 'unknown location';
}

/** Builds a diagnostic whose `file`/`line` come from a location. */
export function createDiagnostic(code: CodegenDiagnosticCode, message: string, location?: SourceLocation): CodegenDiagnostic {
  return location ? { code, message, file: location.file, line: location.line } : { code, message };
}

/** Like {@link createDiagnostic}, for a problem that does not stop the output from being written. */
export function createWarning(code: CodegenDiagnosticCode, message: string, location?: SourceLocation): CodegenDiagnostic {
  return { ...createDiagnostic(code, message, location), severity: 'warning' };
}

/** True for warnings (the run still writes its output). */
export function isWarning(diagnostic: CodegenDiagnostic): boolean {
  return diagnostic.severity === 'warning';
}

/** One line per diagnostic, as the CLI prints them. */
export function formatDiagnostic(diagnostic: CodegenDiagnostic): string {
  return `${isWarning(diagnostic) ? 'warning' : 'error'} ${diagnostic.code}: ${diagnostic.message}`;
}

/** Sorts diagnostics by file, line, code and message, so that output is deterministic. */
export function sortDiagnostics(diagnostics: readonly CodegenDiagnostic[]): CodegenDiagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      compareText(a.file ?? '', b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || compareText(a.code, b.code) || compareText(a.message, b.message),
  );
}

/**
 * Thrown for a run that cannot start (no project root, unreadable configuration): a
 * {@link JobbyError} whose `code` is a diagnostic code. `jobby codegen` prints it as
 * `jobby codegen: <code>: <message>` and exits 2.
 *
 * @example
 * ```ts
 * try { await runCodegen({ rootDir }) }
 * catch (error) { if (isJobbyError(error, 'ROOT_NOT_FOUND')) console.error('run it inside a project') }
 * ```
 */
export class CodegenError extends JobbyError<CodegenDiagnosticCode> {
  constructor(code: CodegenDiagnosticCode, message: string, options?: JobbyErrorOptions) {
    super(code, message, options);
    this.name = 'CodegenError';
  }
}
