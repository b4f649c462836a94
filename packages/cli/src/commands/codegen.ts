import type { Command } from 'commander';
import type { CommandContext } from '../program.js';

export function registerCodegen(program: Command, context: CommandContext): void {
  program
    .command('codegen')
    .description('find the plugins, pin their job type ids in jobby.lock.json and write the generated registry')
    .option('--check', 'write nothing; exit 1 with a diff when a generated file or jobby.lock.json is stale')
    .option('--root <dir>', 'start looking for the project root here (default: the current directory)')
    .option('--out-dir <dir>', 'where to write generated files (default: "jobby.outDir" of the root package.json)')
    .action(async (options: { check?: boolean; root?: string; outDir?: string }) => {
      // Loaded on demand: ts-morph is large, and no other command needs it.
      const { runCodegenCli } = await import('@jobby/codegen');
      const argv = [...(options.check ? ['--check'] : []), ...(options.root ? ['--root', options.root] : []), ...(options.outDir ? ['--out-dir', options.outDir] : [])];
      context.exitCode = await runCodegenCli(argv, { stdout: context.io.stdout, stderr: context.io.stderr, cwd: context.io.cwd });
    });
}
