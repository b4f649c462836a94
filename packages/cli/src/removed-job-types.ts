import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, exitCodes } from './cli-error.js';

/**
 * Job types the registry no longer has, by the name `jobby.lock.json` keeps for them: a removed job
 * type stays in its plugin's `tombstones`, a removed plugin stays with `"removed": true`. Their
 * jobs are still in the database (orphaned: no worker runs them), and `jobby jobs show|cancel|list`
 * reach them by that name. Read here rather than through `@jobby/codegen`, whose import loads
 * ts-morph.
 */

export interface RemovedJobType {
  /** `plugin.Job`. */
  readonly name: string;
  readonly id: number;
  /** Why it is not in the registry, for messages. */
  readonly why: 'tombstoned' | 'plugin removed';
}

interface LockPluginJson {
  removed?: boolean;
  jobTypes?: Record<string, number>;
  tombstones?: Record<string, number>;
}

/** The removed job types of the project's `jobby.lock.json` (none when there is no lock file). */
export function readRemovedJobTypes(projectRoot: string): RemovedJobType[] {
  const file = path.join(projectRoot, 'jobby.lock.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  let plugins: Record<string, LockPluginJson>;
  try {
    plugins = (JSON.parse(text) as { plugins?: Record<string, LockPluginJson> }).plugins ?? {};
  } catch (error) {
    throw new CliError(`${file} is not valid JSON: ${(error as Error).message}`, exitCodes.usage, { cause: error });
  }
  const removed: RemovedJobType[] = [];
  for (const [plugin, entry] of Object.entries(plugins)) {
    const why = entry.removed ? 'plugin removed' : 'tombstoned';
    for (const [job, id] of Object.entries(entry.tombstones ?? {})) removed.push({ name: `${plugin}.${job}`, id, why });
    if (entry.removed) for (const [job, id] of Object.entries(entry.jobTypes ?? {})) removed.push({ name: `${plugin}.${job}`, id, why });
  }
  return removed.sort((a, b) => a.id - b.id);
}
