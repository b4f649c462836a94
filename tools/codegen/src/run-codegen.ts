/**
 * The orchestrator: scan → model → ids → verify → print, then write the files, or with `check`
 * compare them with what is on disk. Nothing is written when verification fails.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createDiagnostic, isWarning, sortDiagnostics, type CodegenDiagnostic } from './diagnostics.js';
import { unifiedDiff } from './diff.js';
import { assignIds } from './model/assign-ids.js';
import { buildModel } from './model/build-model.js';
import { emptyLock, parseLock, printLock, type LoadedLock } from './model/lock-file.js';
import type { PluginModel } from './model/model.js';
import { print } from './print/print.js';
import { findProjectRoot, relativeToRoot } from './scan/project-root.js';
import { scan } from './scan/scan.js';
import { verify } from './verify/verify.js';
import { compareText } from './compare-text.js';

export interface CodegenOptions {
  /** Any directory inside the project; the root is the nearest package.json listing workspaces. */
  readonly rootDir: string;
  /** Compare instead of writing: stale files are reported with a diff. */
  readonly check?: boolean;
  /** Overrides `"jobby": { "outDir" }` of the root package.json (relative to the root). */
  readonly outDir?: string;
}

/** One generated file (or the lock) that differs from what is on disk. */
export interface StaleFile {
  /** Relative to the project root. */
  readonly file: string;
  readonly diff: string;
}

export interface CodegenResult {
  /** True when verification passed and (with `check`) nothing is stale. */
  readonly ok: boolean;
  readonly rootDir: string;
  readonly outDir: string;
  readonly plugins: readonly PluginModel[];
  /** Files written (relative to the root); empty with `check` or on failure. */
  readonly written: readonly string[];
  /** Files deleted because no job type produces them any more. */
  readonly deleted: readonly string[];
  /** With `check`: every file that would change. */
  readonly stale: readonly StaleFile[];
  readonly diagnostics: readonly CodegenDiagnostic[];
  /** Problems that did not stop the output from being written (a job type without a handler…). */
  readonly warnings: readonly CodegenDiagnostic[];
  /** Milliseconds per stage. */
  readonly timings: Readonly<Record<'scan' | 'verify' | 'print' | 'write' | 'total', number>>;
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Generated schema files currently on disk (they are ours to delete). */
function existingSchemaFiles(outDir: string): string[] {
  const directory = path.join(outDir, 'schemas');
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .map((name) => `schemas/${name}`)
    .sort();
}

/**
 * Runs codegen on a project.
 *
 * @example
 * ```ts
 * const result = await runCodegen({ rootDir: process.cwd(), check: true });
 * if (!result.ok) for (const d of result.diagnostics) console.error(d.message);
 * ```
 */
export async function runCodegen(options: CodegenOptions): Promise<CodegenResult> {
  const started = performance.now();
  const root = findProjectRoot(options.rootDir, options.outDir);
  const scanned = scan(root);
  const afterScan = performance.now();

  const lockText = readIfExists(root.lockFile);
  const lockRelative = relativeToRoot(root.directory, root.lockFile);
  let previousLock: LoadedLock = { lock: emptyLock, file: lockRelative, lines: new Map() };
  const diagnostics: CodegenDiagnostic[] = [...scanned.diagnostics];
  if (lockText !== undefined) {
    const parsed = parseLock(lockText, lockRelative);
    previousLock = parsed.loaded;
    diagnostics.push(...parsed.diagnostics);
  }
  const model = buildModel(scanned.plugins);
  const ids = assignIds(model, previousLock.lock);
  diagnostics.push(...verify({ model, ids, previousLock }));
  const afterVerify = performance.now();
  const sorted = sortDiagnostics(diagnostics.filter((diagnostic) => !isWarning(diagnostic)));
  const warnings = sortDiagnostics(diagnostics.filter(isWarning));

  const base = {
    rootDir: root.directory,
    outDir: root.outDir,
    plugins: model.plugins,
    diagnostics: sorted,
    warnings,
  };
  if (sorted.length > 0) {
    return {
      ...base,
      ok: false,
      written: [],
      deleted: [],
      stale: [],
      timings: { scan: afterScan - started, verify: afterVerify - afterScan, print: 0, write: 0, total: performance.now() - started },
    };
  }

  const outputs = new Map<string, string>();
  for (const [name, content] of print(model, ids)) outputs.set(path.join(root.outDir, name), content);
  outputs.set(root.lockFile, printLock(ids.lock));
  const obsolete = existingSchemaFiles(root.outDir)
    .map((name) => path.join(root.outDir, name))
    .filter((file) => !outputs.has(file));
  const afterPrint = performance.now();

  const written: string[] = [];
  const deleted: string[] = [];
  const stale: StaleFile[] = [];
  for (const [file, content] of outputs) {
    const current = readIfExists(file);
    if (current === content) continue;
    const relative = relativeToRoot(root.directory, file);
    if (options.check) {
      stale.push({ file: relative, diff: unifiedDiff(relative, current, content) });
    } else {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
      written.push(relative);
    }
  }
  for (const file of obsolete) {
    const relative = relativeToRoot(root.directory, file);
    if (options.check) stale.push({ file: relative, diff: unifiedDiff(relative, readIfExists(file), undefined) });
    else {
      rmSync(file);
      deleted.push(relative);
    }
  }
  stale.sort((a, b) => compareText(a.file, b.file));
  const staleDiagnostics = stale.map((entry) =>
    createDiagnostic('STALE_OUTPUT', `${entry.file} is stale; run \`jobby codegen\` and commit the result`, { file: entry.file, line: 1 }),
  );
  const finished = performance.now();
  return {
    ...base,
    ok: stale.length === 0,
    diagnostics: staleDiagnostics,
    written: written.sort(),
    deleted: deleted.sort(),
    stale,
    timings: { scan: afterScan - started, verify: afterVerify - afterScan, print: afterPrint - afterVerify, write: finished - afterPrint, total: finished - started },
  };
}
