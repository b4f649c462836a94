import { generatedHeader, quote } from './header.js';
import type { PrintedPlugin } from './plan.js';
import { compareText } from '../compare-text.js';

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line, index) => (index === 0 ? line : pad + line))
    .join('\n');
}

/**
 * `registry.ts`: the registry the runtime loads at startup. Imports each plugin's definition by
 * package name (which carries the module class and its initializer) and lists every job type with
 * its id, metadata and inlined JSON Schemas.
 */
export function printRegistry(plugins: readonly PrintedPlugin[]): string {
  const imports = plugins
    .map(({ plugin, importName }) => ({
      packageName: plugin.package.name,
      specifier: importName === plugin.exportName ? importName : `${plugin.exportName} as ${importName}`,
    }))
    .sort((a, b) => compareText(a.packageName, b.packageName) || compareText(a.specifier, b.specifier))
    .map(({ packageName, specifier }) => `import { ${specifier} } from ${quote(packageName)};`);
  const entries = plugins.map(({ plugin, clientId, importName, jobTypes }) => {
    const jobLines = jobTypes.map(({ jobType, id, localId }) => {
      const declaration = jobType.declaration!;
      const fields = [
        `id: ${id}`,
        `localId: ${localId}`,
        `name: ${quote(jobType.name)}`,
        `submittable: ${declaration.submittable}`,
        ...(declaration.description === undefined ? [] : [`description: ${quote(declaration.description)}`]),
        `inputSchema: ${indent(JSON.stringify(declaration.input.schema, null, 2), 2)}`,
        `outputSchema: ${indent(JSON.stringify(declaration.output.schema, null, 2), 2)}`,
      ];
      return `{\n  ${fields.join(',\n  ')},\n}`;
    });
    const schedules = (plugin.schedules ?? [])
      .filter((schedule) => schedule.name !== undefined && schedule.cron !== undefined && schedule.timezone !== undefined && schedule.catchUp !== undefined)
      .map((schedule) => `{ type: ${quote(schedule.jobName)}, name: ${quote(schedule.name!)}, cron: ${quote(schedule.cron!)}, timezone: ${quote(schedule.timezone!)}, catchUp: ${quote(schedule.catchUp!)} }`);
    // Limits whose every value is a literal (the others are the worker's to check).
    const limits = (plugin.limits ?? [])
      .filter((limit) => limit.literal && [limit.concurrency, limit.rateLimit, limit.rateIntervalMs, limit.groupConcurrency].every((value) => !value || value.value !== undefined))
      .map((limit) => {
        const fields = [`type: ${quote(limit.jobName)}`];
        if (limit.concurrency) fields.push(`concurrency: ${limit.concurrency.value}`);
        if (limit.rateLimit && limit.rateIntervalMs) fields.push(`rate: { limit: ${limit.rateLimit.value}, intervalMs: ${limit.rateIntervalMs.value} }`);
        if (limit.groupConcurrency) fields.push(`groupConcurrency: ${limit.groupConcurrency.value}`);
        return `{ ${fields.join(', ')} }`;
      });
    return [
      '{',
      `  name: ${quote(plugin.name)},`,
      `  clientId: ${clientId},`,
      `  packageName: ${quote(plugin.package.name)},`,
      `  version: ${quote(plugin.package.version)},`,
      `  definition: ${importName},`,
      `  jobTypes: [${jobLines.length === 0 ? '' : `\n    ${jobLines.map((line) => indent(line, 4)).join(',\n    ')},\n  `}],`,
      ...(schedules.length === 0 ? [] : [`  schedules: [\n    ${schedules.join(',\n    ')},\n  ],`]),
      ...(limits.length === 0 ? [] : [`  limits: [\n    ${limits.join(',\n    ')},\n  ],`]),
      '}',
    ].join('\n');
  });
  return [
    generatedHeader,
    "import { defineRegistry } from '@jobby/core';",
    ...imports,
    '',
    '/** Every plugin of the application, with the ids pinned in jobby.lock.json. */',
    'export const registry = defineRegistry({',
    `  plugins: [${entries.length === 0 ? '' : `\n    ${entries.map((entry) => indent(entry, 4)).join(',\n    ')},\n  `}],`,
    '});',
    '',
  ].join('\n');
}
