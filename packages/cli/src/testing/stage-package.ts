import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from './run-jobby.js';

/**
 * A workspace package as `npm publish` would see it after `npm run build`, without touching the
 * workspace: the package directory copied to `stage` (without node_modules and dist) and its
 * `tsconfig.build.json` compiled into `stage/dist`. The workspace's own dist folders are left
 * alone: `bin/jobby.js` would prefer them to the sources.
 */
export interface StagePackageOptions {
  /** Package directory relative to the repository root, e.g. `packages/core`. */
  readonly relative: string;
  readonly stage: string;
  /** Copy `src/` too (default true); the publish test leaves it out to prove dist suffices. */
  readonly withSources?: boolean;
  /** Extra exclude globs, relative to the package directory. */
  readonly exclude?: readonly string[];
  /** Emit without type checking (`--noCheck`): the type checks run elsewhere; this is about files. */
  readonly noCheck?: boolean;
}

export function stagePackage(options: StagePackageOptions): void {
  const source = path.join(repositoryRoot, options.relative);
  const skipped = options.withSources === false ? /[\\/](node_modules|dist|src|\.turbo)$/ : /[\\/](node_modules|dist|\.turbo)$/;
  cpSync(source, options.stage, { recursive: true, filter: (file) => !skipped.test(file) });
  const buildConfig = JSON.parse(readFileSync(path.join(source, 'tsconfig.build.json'), 'utf8')) as { exclude?: string[] };
  const config = path.join(path.dirname(options.stage), `tsconfig.${path.basename(options.stage)}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      extends: path.join(source, 'tsconfig.build.json'),
      compilerOptions: { rootDir: path.join(source, 'src'), outDir: path.join(options.stage, 'dist'), typeRoots: [path.join(repositoryRoot, 'node_modules/@types')] },
      include: [path.join(source, 'src')],
      exclude: [...(buildConfig.exclude ?? []), ...(options.exclude ?? [])].map((pattern) => path.join(source, pattern)),
    }),
  );
  execFileSync(process.execPath, [path.join(repositoryRoot, 'node_modules/typescript/bin/tsc'), '-p', config, ...(options.noCheck ? ['--noCheck'] : [])], {
    cwd: source,
    stdio: 'pipe',
  });
}
