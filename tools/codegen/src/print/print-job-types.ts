import { generatedHeader, identifier, quote } from './header.js';
import type { PrintedPlugin } from './plan.js';

/**
 * `job-types.ts`: augments `JobTypeMap` of `@jobby/core` so that `submit('plugin.Job', …)` and
 * dependency outputs are typed across packages. Types are referenced through the plugins' own
 * exports (`typeof import('<package>')`), never copied.
 */
export function printJobTypes(plugins: readonly PrintedPlugin[]): string {
  const aliases: string[] = [];
  const entries: string[] = [];
  const usedAliases = new Set<string>();
  for (const { plugin, jobTypes, clientId } of plugins) {
    let alias = `${identifier(plugin.name.charAt(0).toUpperCase() + plugin.name.slice(1))}Declarations`;
    if (usedAliases.has(alias)) alias = `${alias}${clientId}`; // plugin names that differ only in punctuation
    usedAliases.add(alias);
    aliases.push(`type ${alias} = (typeof import(${quote(plugin.package.name)}))[${quote(plugin.exportName)}]['jobs']['types'];`);
    for (const { jobType } of jobTypes) {
      const declaration = `${alias}[${quote(jobType.name)}]`;
      entries.push(
        `    ${quote(jobType.fullName)}: {\n` +
          `      input: DeclaredInput<${declaration}>;\n` +
          `      output: DeclaredOutput<${declaration}>;\n` +
          `      submittable: ${jobType.declaration!.submittable};\n` +
          '    };',
      );
    }
  }
  return [
    generatedHeader,
    "import type { DeclaredInput, DeclaredOutput } from '@jobby/core';",
    '',
    ...aliases,
    ...(aliases.length > 0 ? [''] : []),
    "declare module '@jobby/core' {",
    '  interface JobTypeMap {',
    ...entries,
    '  }',
    '}',
    '',
  ].join('\n');
}
