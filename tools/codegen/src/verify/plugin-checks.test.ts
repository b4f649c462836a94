/**
 * The checks about what the worker program will meet at run time: a plugin it cannot import (not
 * installed; not built and no sources), a plugin that is not a dependency of the worker's package,
 * a job type without a handler in any mode, and a plugin that depends on another plugin. Each
 * message names the package, the file and line, and the fix.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, runCodegen } from '../index.js';
import { coreDirectory, createTemporaryDirectory, linkPackage } from '../testing/fixture.js';
import { rmSync, mkdirSync, writeFileSync, realpathSync } from 'node:fs';

const directory = realpathSync(createTemporaryDirectory('jobby-codegen-checks-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function write(file: string, content: string | object): void {
  mkdirSync(path.dirname(path.join(directory, file)), { recursive: true });
  writeFileSync(path.join(directory, file), typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
}

function plugin(name: string, options: { exports?: object; devDependencies?: Record<string, string>; imports?: string; members?: string[]; registered?: string[] } = {}): void {
  const members = options.members ?? ['Run'];
  const Pascal = name[0]!.toUpperCase() + name.slice(1);
  write(`plugins/${name}/package.json`, {
    name: `@fixture/${name}`,
    version: '1.0.0',
    type: 'module',
    exports: options.exports ?? { '.': { '@jobby/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' } },
    jobby: { plugin: name },
    ...(options.devDependencies ? { devDependencies: options.devDependencies } : {}),
  });
  write(
    `plugins/${name}/src/index.ts`,
    `import { defineJobs, definePlugin, payload, type PluginModule, type WorkerRegistry } from '@jobby/core';
${options.imports ?? ''}
export enum ${Pascal}Job {
${members.map((member, index) => `  ${member} = ${index},`).join('\n')}
}

export const ${name}Jobs = defineJobs({
  plugin: '${name}',
  enum: ${Pascal}Job,
  types: { ${members.map((member) => `${member}: { input: payload<{}>() }`).join(', ')} },
});

export class ${Pascal}Module implements PluginModule<typeof ${name}Jobs> {
  static initialize(): ${Pascal}Module {
    return new ${Pascal}Module();
  }
  workers(registry: WorkerRegistry<typeof ${name}Jobs>, mode: string): void {
    if (mode === 'production') return;
${(options.registered ?? members).map((member) => `    registry.register(${Pascal}Job.${member}, '${name}_${member}', () => null);`).join('\n')}
  }
  jobs(): void {}
}

export const ${name}Plugin = definePlugin({ jobs: ${name}Jobs, module: ${Pascal}Module });
`,
  );
}

describe('codegen checks what the worker program will meet', () => {
  it('reports each problem with its package, file and line, and the fix', async () => {
    write('package.json', { name: 'checks', private: true, type: 'module', workspaces: ['packages/*', 'plugins/*'], jobby: { outDir: 'packages/worker/generated' } });
    write('packages/worker/package.json', { name: '@fixture/worker', private: true, type: 'module', dependencies: { '@fixture/shop': '1.0.0', '@fixture/archive': '1.0.0', '@fixture/ledger': '1.0.0' } });
    linkPackage(directory, '@jobby/core', coreDirectory);
    // shop: a job type without a handler, and a dependency on (and an import of) the reports plugin
    plugin('shop', { members: ['Sell', 'Refund'], registered: ['Sell'], devDependencies: { '@jobby/core': '*', '@fixture/reports': '1.0.0' }, imports: "import type { ReportsJob } from '@fixture/reports';\nexport type Report = ReportsJob;" });
    // reports: fine, but not a dependency of the worker's package
    plugin('reports');
    // archive: no sources exported, and never built
    plugin('archive', { exports: { '.': { types: './src/index.ts', default: './dist/index.js' } } });
    // ledger: written, but npm install never ran
    plugin('ledger');
    for (const name of ['shop', 'reports', 'archive']) linkPackage(directory, `@fixture/${name}`, path.join(directory, 'plugins', name));

    const result = await runCodegen({ rootDir: directory });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      'error PLUGIN_NOT_INSTALLED: plugin "ledger": @fixture/ledger (plugins/ledger) cannot be imported by the worker program: it is not installed in node_modules. Add "@fixture/ledger": "1.0.0" to "dependencies" of packages/worker/package.json and run npm install',
      'error PLUGIN_NOT_BUILT: plugin "archive": @fixture/archive (plugins/archive) cannot be imported by the worker program: its entry plugins/archive/dist/index.js does not exist and it has no "@jobby/source" entry that does (plugins/archive/package.json:5). Fix: build it (npm run build -w @fixture/archive), or export its sources under the "@jobby/source" condition (exports["."]["@jobby/source"]: "./src/index.ts"), which jobby resolves without a build',
      'error PLUGIN_DEPENDS_ON_PLUGIN: plugin "shop" (@fixture/shop) depends on the plugin @fixture/reports in its devDependencies (plugins/shop/package.json:17) ("reports", plugins/reports); plugins depend only on @jobby/core. Remove it, and name that plugin\'s job types with a handle of your own: defineExternalJob({ name: \'reports.Run\', output: payload<YourView>() })',
      'error PLUGIN_DEPENDS_ON_PLUGIN: plugin "shop" (@fixture/shop) imports the plugin @fixture/reports at plugins/shop/src/index.ts:2 ("reports", plugins/reports); plugins depend only on @jobby/core. Remove it, and name that plugin\'s job types with a handle of your own: defineExternalJob({ name: \'reports.Run\', output: payload<YourView>() })',
    ]);
    expect(result.warnings.map(formatDiagnostic)).toEqual([
      'warning PLUGIN_NOT_A_DEPENDENCY: plugin "reports": @fixture/reports (plugins/reports) is imported by the generated registry but is not a dependency of packages/worker/package.json (it resolves only because npm hoisted it). Add "@fixture/reports": "1.0.0" to its "dependencies"',
      'warning HANDLER_MISSING: shop.Refund (plugins/shop/src/index.ts:6, @fixture/shop) has no handler: nothing in plugins/shop calls register(ShopJob.Refund, …), in any mode, so its jobs would wait forever. Register one in the workers() of ShopModule (plugins/shop/src/index.ts:15), or remove the member (its id stays retired)',
    ]);
    expect(result.written).toEqual([]);
  });
});
