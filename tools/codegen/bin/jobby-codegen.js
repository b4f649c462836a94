#!/usr/bin/env node
// `jobby-codegen [--check]`: runs the built package, or its TypeScript sources through tsx when
// dist/ is absent (inside the monorepo before a build).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));
let runCodegenCli;
if (existsSync(built)) {
  ({ runCodegenCli } = await import(built));
} else {
  const { tsImport } = await import('tsx/esm/api');
  ({ runCodegenCli } = await tsImport('../src/index.ts', import.meta.url));
}
process.exitCode = await runCodegenCli(process.argv.slice(2));
