#!/usr/bin/env node
// Bundles the generated worker program (src/generated/worker.ts) and everything it imports into
// one ESM file, dist/worker.mjs, runnable with `node dist/worker.mjs [worker flags]` on a machine
// that has only Node 20 — the deployment artifact (see docs/deploy-workers.md).
//
// Not bundled:
// - Node builtins;
// - pg-native: an optional native driver `pg` tries to require; never used (pure-JS pg is);
//
// The embedded database (PGlite) is bundled too, but it loads three runtime files relative to its
// module (`new URL('./pglite.wasm', import.meta.url)`): pglite.wasm, initdb.wasm and pglite.data
// are copied beside the bundle. Deployments with DATABASE_URL never read them; ship them with
// worker.mjs only if a machine should run on the embedded database.
//
// Files that plugins read relative to their own module (`new URL('../data/x.json',
// import.meta.url)`, e.g. the steam sample app list) are copied to dist/assets/ and the URL rewritten, so
// the bundle keeps working when copied elsewhere together with its assets directory.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const repositoryRoot = path.resolve(packageDirectory, '../..');
const outDirectory = path.join(packageDirectory, 'dist');
const outFile = path.join(outDirectory, 'worker.mjs');
const assetsDirectory = path.join(outDirectory, 'assets');

/** Rewrites `new URL('<relative>', import.meta.url)` in workspace sources to a copied asset. */
const moduleRelativeAssets = {
  name: 'module-relative-assets',
  setup(esbuild) {
    esbuild.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`) || !args.path.startsWith(repositoryRoot)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      const pattern = /new URL\(\s*(['"])(\.\.?\/[^'"]+)\1\s*,\s*import\.meta\.url\s*\)/g;
      if (!pattern.test(source)) return undefined;
      const contents = source.replace(pattern, (match, _quote, relative) => {
        const asset = path.resolve(path.dirname(args.path), relative);
        const isFile = statSync(asset, { throwIfNoEntry: false })?.isFile() ?? false;
        if (!isFile) return match; // a directory or a generated path: left to the runtime
        const name = `${createHash('sha256').update(asset).digest('hex').slice(0, 8)}-${path.basename(asset)}`;
        mkdirSync(assetsDirectory, { recursive: true });
        copyFileSync(asset, path.join(assetsDirectory, name));
        return `new URL(${JSON.stringify(`./assets/${name}`)}, import.meta.url)`;
      });
      return { contents, loader: path.extname(args.path).includes('t') ? 'ts' : 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

rmSync(outFile, { force: true });
rmSync(assetsDirectory, { recursive: true, force: true });
const result = await build({
  entryPoints: [path.join(packageDirectory, 'src/generated/worker.ts')],
  outfile: outFile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Workspace packages resolve to their TypeScript sources, as in development.
  conditions: ['@jobby/source'],
  external: ['pg-native'],
  plugins: [moduleRelativeAssets],
  // CommonJS dependencies (pg, pino) call require() for builtins; give the ESM bundle one.
  banner: { js: "import { createRequire as __jobbyCreateRequire } from 'node:module';\nconst require = __jobbyCreateRequire(import.meta.url);" },
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
  metafile: true,
});
const pgliteDist = path.dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite')));
for (const name of ['pglite.wasm', 'initdb.wasm', 'pglite.data']) copyFileSync(path.join(pgliteDist, name), path.join(outDirectory, name));
const bytes = statSync(outFile).size;
const inputs = Object.keys(result.metafile.inputs).length;
process.stdout.write(`bundled ${path.relative(repositoryRoot, outFile)}: ${(bytes / 1024 / 1024).toFixed(1)} MiB from ${inputs} modules\n`);
