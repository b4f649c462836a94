/**
 * Codegen speed on synthetic workspaces: `npx tsx bench.ts [plugins…]` (default 10 50 100), 10 job
 * types each. Prints the median of 3 runs per size, each in a fresh process-wide state except
 * for the warm module cache. Not a test: numbers go to README.md.
 */
import { rmSync } from 'node:fs';
import { runCodegen } from './src/index.js';
import { generateWorkspace } from './src/testing/generate-workspace.js';

const sizes = process.argv.slice(2).map(Number).filter((size) => size > 0);
const rounds = 3;
for (const plugins of sizes.length > 0 ? sizes : [10, 50, 100]) {
  const directory = generateWorkspace({ plugins, jobTypes: 10 });
  const totals: number[] = [];
  let last;
  for (let round = 0; round < rounds; round++) {
    rmSync(`${directory}/jobby.lock.json`, { force: true });
    last = await runCodegen({ rootDir: directory });
    if (!last.ok) throw new Error(last.diagnostics.map((diagnostic) => diagnostic.message).join('\n'));
    totals.push(last.timings.total);
  }
  totals.sort((a, b) => a - b);
  const median = totals[Math.floor(rounds / 2)]!;
  console.log(
    `${plugins} plugins × 10 job types: median ${(median / 1000).toFixed(2)} s (scan ${(last!.timings.scan / 1000).toFixed(2)} s, ` +
      `verify ${last!.timings.verify.toFixed(0)} ms, print ${last!.timings.print.toFixed(0)} ms, write ${last!.timings.write.toFixed(0)} ms; ` +
      `all runs ${totals.map((total) => (total / 1000).toFixed(2)).join(', ')} s)`,
  );
  rmSync(directory, { recursive: true, force: true });
}
