/**
 * The monorepo's own generated registry and lock must be current: this is `jobby codegen --check`
 * on the repository itself, so a plugin changed without regenerating fails `npm test`.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCodegen } from './index.js';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('this repository', () => {
  it('has an up-to-date generated registry and jobby.lock.json', async () => {
    const result = await runCodegen({ rootDir: repositoryRoot, check: true });
    expect(result.diagnostics).toEqual([]);
    expect(result.stale.map((entry) => `${entry.file}\n${entry.diff}`)).toEqual([]);
    expect(result.plugins.map((plugin) => plugin.name).sort()).toEqual(['email', 'metrics', 'steam']);
    expect(result.ok).toBe(true);
  }, 120_000);
});
