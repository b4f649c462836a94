import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from './testing/run-jobby.js';

/*
 * A package reaches another only by its name (`@jobby/core`, `@jobby/core/testing`), never by a
 * relative path into its sources: such an import skips the other package's `exports`, works only
 * in this checkout, and breaks silently when that package moves a file.
 */

const workspaceParents = ['packages', 'plugins', 'tools'];
const sourcePattern = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const skippedDirectories = new Set(['node_modules', 'dist', '.turbo', 'generated']);
const importPattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(directory, entry.name);
    if (entry.isDirectory()) return skippedDirectories.has(entry.name) ? [] : sourceFiles(file);
    return sourcePattern.test(entry.name) ? [file] : [];
  });
}

/** `packages/core` for a path inside a workspace package; undefined for other paths (the shared root files). */
function packageOf(relative: string): string | undefined {
  const [parent, name] = relative.split('/');
  return workspaceParents.includes(parent!) && name !== undefined ? `${parent}/${name}` : undefined;
}

/** Relative `from`/`import()` specifiers of `text` that reach into another workspace package; `relative` is the file's path from the repository root. */
export function crossingsIn(relative: string, text: string): string[] {
  const crossings: string[] = [];
  for (const match of text.matchAll(importPattern)) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(relative), match[1]!));
    const targetPackage = packageOf(target);
    if (targetPackage !== undefined && targetPackage !== packageOf(relative)) crossings.push(`${relative} → ${target}`);
  }
  return crossings;
}

describe('imports between workspace packages', () => {
  it('are recognised when a relative path leaves the package (the check can fail)', () => {
    // Built from parts, so that this file's own text holds no such import.
    const from = (specifier: string) => `import { x } from ${"'"}${specifier}${"'"};`;
    const text = [
      from('../../../core/src/testing/demo-plugin.js'),
      from('./testing/stage-package.js'),
      `const codegen = await import(${"'"}../../../../tools/codegen/src/index.js${"'"});`,
      from('../../../../vitest.shared.js'),
    ].join('\n');
    expect(crossingsIn('packages/admin/src/server/x.test.ts', text)).toEqual([
      'packages/admin/src/server/x.test.ts → packages/core/src/testing/demo-plugin.js',
      'packages/admin/src/server/x.test.ts → tools/codegen/src/index.js',
    ]);
    expect(crossingsIn('packages/core/src/runtime/x.test.ts', from('../../../core/src/store/job.js'))).toEqual([]);
  });

  it('go through package names only', () => {
    const crossings = workspaceParents.flatMap((parent) =>
      sourceFiles(path.join(repositoryRoot, parent)).flatMap((file) => {
        const relative = path.relative(repositoryRoot, file).split(path.sep).join('/');
        return crossingsIn(relative, readFileSync(file, 'utf8'));
      }),
    );
    expect(crossings.sort()).toEqual([]);
  });
});
