import { generatedHeader } from './header.js';

/** `worker.ts`: the worker program's entry; it runs every registered plugin. */
export function printWorker(): string {
  return [
    generatedHeader,
    "import { runWorkerProgram } from '@jobby/cli/worker-program';",
    "import { registry } from './registry.js';",
    '',
    'await runWorkerProgram({ registry, argv: process.argv.slice(2) });',
    '',
  ].join('\n');
}
