/**
 * Codegen speed on synthetic workspaces: `npx tsx bench.ts [plugins…]` (default 10 50 100), 10 job
 * types each. Per size: the first run in this process (parses everything; sizes after the first
 * share a warm JIT and the cached core types) and the median of 3 re-runs after touching one
 * plugin (only that file is parsed again). For a fully cold figure time the CLI:
 * `node bin/jobby-codegen.js --root <dir>`. Not a test: the numbers go to README.md.
 */
import { rmSync, utimesSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { runCodegen } from './src/index.js';
import { generateWorkspace } from './src/testing/generate-workspace.js';

const sizes = process.argv.slice(2).map(Number).filter((size) => size > 0);
const seconds = (milliseconds: number): string => (milliseconds / 1000).toFixed(2);
for (const plugins of sizes.length > 0 ? sizes : [10, 50, 100]) {
  const directory = generateWorkspace({ plugins, jobTypes: 10 });
  const first = await runCodegen({ rootDir: directory });
  if (!first.ok) throw new Error(first.diagnostics.map((diagnostic) => diagnostic.message).join('\n'));
  const reruns: number[] = [];
  for (let round = 0; round < 3; round++) {
    const touched = path.join(directory, 'plugins/plugin000/src/index.ts');
    appendFileSync(touched, `// touched ${round}\n`);
    utimesSync(touched, new Date(), new Date());
    const result = await runCodegen({ rootDir: directory });
    if (!result.ok) throw new Error('re-run failed');
    reruns.push(result.timings.total);
  }
  reruns.sort((a, b) => a - b);
  console.log(
    `${plugins} plugins × 10 job types: first run ${seconds(first.timings.total)} s (scan ${seconds(first.timings.scan)} s, ` +
      `verify ${first.timings.verify.toFixed(0)} ms, print ${first.timings.print.toFixed(0)} ms, write ${first.timings.write.toFixed(0)} ms); ` +
      `re-run after one change: median ${seconds(reruns[1]!)} s`,
  );
  rmSync(directory, { recursive: true, force: true });
}
