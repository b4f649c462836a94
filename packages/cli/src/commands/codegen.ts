import type { CommandContext } from '../program.js';

/** `jobby codegen`: hands its flags to `@jobby/codegen` (loaded here: ts-morph is large, and no other command needs it). */
export async function codegenAction(options: { check?: boolean; root?: string; outDir?: string }, context: CommandContext): Promise<void> {
  const { runCodegenCli } = await import('@jobby/codegen');
  const argv = [...(options.check ? ['--check'] : []), ...(options.root ? ['--root', options.root] : []), ...(options.outDir ? ['--out-dir', options.outDir] : [])];
  context.exitCode = await runCodegenCli(argv, { stdout: context.io.stdout, stderr: context.io.stderr, cwd: context.io.cwd });
}
