/**
 * `jobby.lock.json`: the committed record of every id ever given out. Client ids are pinned per
 * plugin name and never reused, even after the plugin is removed (it stays, marked `removed`);
 * a job type that disappears moves to its plugin's `tombstones`, so its id is never given to
 * another job type. The file is printed with a fixed key order so that diffs stay small and two
 * branches that both add a plugin conflict in git instead of silently sharing a client id.
 *
 * ```json
 * {
 *   "version": 1,
 *   "plugins": {
 *     "steam": {
 *       "clientId": 1,
 *       "package": "@jobby/steam",
 *       "jobTypes": { "FetchAppList": 1000, "ProcessAppList": 1001 },
 *       "tombstones": { "OldJob": 1002 }
 *     }
 *   }
 * }
 * ```
 */
import { createDiagnostic, type CodegenDiagnostic } from '../diagnostics.js';
import { compareText } from '../compare-text.js';

export const lockFileVersion = 1;

export interface LockPlugin {
  readonly clientId: number;
  readonly package: string;
  /** True once no package provides the plugin any more; its client id stays taken. */
  readonly removed?: boolean;
  /** Job name → namespaced id. */
  readonly jobTypes: Readonly<Record<string, number>>;
  /** Removed job name → the id it had; never given to another job type. */
  readonly tombstones: Readonly<Record<string, number>>;
}

export interface LockFile {
  readonly version: number;
  /** Plugin name → its pinned ids. */
  readonly plugins: Readonly<Record<string, LockPlugin>>;
}

/** A lock file as read from disk, with the line of each entry for messages. */
export interface LoadedLock {
  readonly lock: LockFile;
  /** Relative to the project root. */
  readonly file: string;
  /** `plugin`, `plugin.Job` and `plugin.~Job` (tombstone) → 1-based line. */
  readonly lines: ReadonlyMap<string, number>;
}

export const emptyLock: LockFile = { version: lockFileVersion, plugins: {} };

function isIdRecord(value: unknown): value is Record<string, number> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((id) => Number.isInteger(id));
}

/** Finds the line of every plugin, job type and tombstone key (the file is one key per line). */
function indexLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const stack: string[] = [];
  text.split('\n').forEach((line, index) => {
    const trimmed = line.trim();
    const key = /^"([^"]*)"\s*:/.exec(trimmed)?.[1];
    if (key !== undefined) {
      const [top, plugin, section] = stack;
      if (stack.length === 1 && top === 'plugins') lines.set(key, index + 1);
      if (stack.length === 3 && top === 'plugins' && section === 'jobTypes') lines.set(`${plugin}.${key}`, index + 1);
      if (stack.length === 3 && top === 'plugins' && section === 'tombstones') lines.set(`${plugin}.~${key}`, index + 1);
      if (trimmed.endsWith('{')) stack.push(key);
    } else if (trimmed.startsWith('}')) {
      stack.pop();
    }
  });
  return lines;
}

/** Parses and validates a lock file's text. */
export function parseLock(text: string, file: string): { loaded: LoadedLock; diagnostics: CodegenDiagnostic[] } {
  const diagnostics: CodegenDiagnostic[] = [];
  const invalid = (message: string): { loaded: LoadedLock; diagnostics: CodegenDiagnostic[] } => {
    diagnostics.push(createDiagnostic('LOCK_INVALID', `${file}: ${message}`, { file, line: 1 }));
    return { loaded: { lock: emptyLock, file, lines: new Map() }, diagnostics };
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return invalid(`not valid JSON (${(error as Error).message}); restore it from version control`);
  }
  const object = raw as { version?: unknown; plugins?: unknown };
  if (typeof object !== 'object' || object === null || object.version !== lockFileVersion) {
    return invalid(`unsupported lock file version ${JSON.stringify(object?.version)} (expected ${lockFileVersion})`);
  }
  if (typeof object.plugins !== 'object' || object.plugins === null) return invalid('"plugins" must be an object');
  const plugins: Record<string, LockPlugin> = {};
  for (const [name, value] of Object.entries(object.plugins as Record<string, unknown>)) {
    const entry = value as Partial<LockPlugin>;
    if (
      typeof entry !== 'object' ||
      entry === null ||
      !Number.isInteger(entry.clientId) ||
      (entry.clientId as number) < 1 ||
      typeof entry.package !== 'string' ||
      !isIdRecord(entry.jobTypes) ||
      !isIdRecord(entry.tombstones ?? {})
    ) {
      return invalid(`plugin "${name}" must have an integer clientId ≥ 1, a package, and jobTypes/tombstones mapping names to integer ids`);
    }
    plugins[name] = {
      clientId: entry.clientId as number,
      package: entry.package,
      ...(entry.removed ? { removed: true } : {}),
      jobTypes: entry.jobTypes,
      tombstones: entry.tombstones ?? {},
    };
  }
  return { loaded: { lock: { version: lockFileVersion, plugins }, file, lines: indexLines(text) }, diagnostics };
}

function sortedIds(record: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([nameA, idA], [nameB, idB]) => idA - idB || compareText(nameA, nameB)));
}

/** Prints a lock file: plugins by client id, ids ascending, fixed key order, trailing newline. */
export function printLock(lock: LockFile): string {
  const plugins = Object.entries(lock.plugins).sort(([nameA, a], [nameB, b]) => a.clientId - b.clientId || compareText(nameA, nameB));
  const ordered = {
    version: lock.version,
    plugins: Object.fromEntries(
      plugins.map(([name, plugin]) => [
        name,
        {
          clientId: plugin.clientId,
          package: plugin.package,
          ...(plugin.removed ? { removed: true } : {}),
          jobTypes: sortedIds(plugin.jobTypes),
          tombstones: sortedIds(plugin.tombstones),
        },
      ]),
    ),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
