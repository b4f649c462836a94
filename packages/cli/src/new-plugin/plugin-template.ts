/**
 * The files of a new plugin package, as text. Pure: `new-plugin.ts` decides the names and where
 * they go, this module only prints them. The package is complete on its own: a job enum with an
 * example job, typed payloads, the module class, a test against the embedded database, a README,
 * tsconfigs, a vitest config and a package.json whose `exports` serve the sources to the workspace
 * (`@jobby/source`) and the build to everyone else, and whose `files` leave tests out.
 */

export interface PluginTemplateParams {
  /** The plugin name (`billing`), as in `billing.Greet`. */
  readonly plugin: string;
  /** The npm package name (`@acme/billing`). */
  readonly packageName: string;
  /** The version of `@jobby/core` the project has installed. */
  readonly coreVersion: string;
  /** `tsconfig.base.json` relative to the package directory, when the project has one to extend. */
  readonly baseTsconfig: string | undefined;
}

/** `my-plugin` → `MyPlugin`. */
export function pascalCase(name: string): string {
  return name
    .split(/[-_]+/)
    .filter((part) => part.length > 0)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** `my-plugin` → `myPlugin`. */
export function camelCase(name: string): string {
  const pascal = pascalCase(name);
  return pascal[0]!.toLowerCase() + pascal.slice(1);
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Every file of the package, by path relative to its directory. */
export function pluginFiles(params: PluginTemplateParams): Map<string, string> {
  const { plugin, packageName, coreVersion } = params;
  const Pascal = pascalCase(plugin);
  const camel = camelCase(plugin);
  const fileStem = plugin.replaceAll('_', '-');
  const enumName = `${Pascal}Job`;
  const jobsName = `${camel}Jobs`;
  const moduleName = `${Pascal}Module`;
  const pluginName = `${camel}Plugin`;
  const files = new Map<string, string>();

  files.set(
    'package.json',
    json({
      name: packageName,
      version: '0.1.0',
      description: `jobby plugin "${plugin}".`,
      type: 'module',
      exports: {
        '.': {
          '@jobby/source': './src/index.ts',
          types: './dist/index.d.ts',
          default: './dist/index.js',
        },
      },
      files: ['dist', '!dist/**/*.test.*'],
      scripts: {
        build: 'tsc -p tsconfig.build.json',
        typecheck: 'tsc -p tsconfig.json',
        test: 'vitest run',
      },
      jobby: { plugin },
      devDependencies: { '@jobby/core': coreVersion },
      peerDependencies: { '@jobby/core': `^${coreVersion}` },
    }),
  );

  files.set(
    'tsconfig.json',
    json(
      params.baseTsconfig
        ? { extends: params.baseTsconfig, compilerOptions: { noEmit: true }, include: ['src', '*.ts'] }
        : {
            compilerOptions: {
              target: 'ES2023',
              lib: ['ES2023'],
              module: 'NodeNext',
              moduleResolution: 'NodeNext',
              customConditions: ['@jobby/source'],
              // Under @jobby/source, TypeScript reads @jobby/core's sources, whose worker options
              // table is JSDoc-typed JavaScript (plain JS so that `jobby --help` loads no TypeScript).
              allowJs: true,
              strict: true,
              isolatedModules: true,
              verbatimModuleSyntax: true,
              skipLibCheck: true,
              declaration: true,
              sourceMap: true,
              noEmit: true,
            },
            include: ['src', '*.ts'],
          },
    ),
  );
  files.set(
    'tsconfig.build.json',
    json({
      extends: './tsconfig.json',
      compilerOptions: { rootDir: 'src', outDir: 'dist', noEmit: false },
      include: ['src'],
      exclude: ['src/**/*.test.ts'],
    }),
  );
  files.set(
    'vitest.config.ts',
    `import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Workspace packages export their TypeScript sources under the "@jobby/source" condition: tests
// run against sources, no build needed. Dependencies load as Node loads them, without the bundlers'
// "module" condition (@opentelemetry/api 1.9's "module" build cannot run in Node).
const nodeConditions = defaultServerConditions.filter((condition) => condition !== 'module');

export default defineConfig({
  resolve: { conditions: ['@jobby/source', ...defaultClientConditions] },
  ssr: { resolve: { conditions: ['@jobby/source', ...nodeConditions] } },
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
});
`,
  );

  files.set(
    'src/jobs.ts',
    `import { defineJobs, payload } from '@jobby/core';

/**
 * The ${plugin} plugin's job types. The values are the local ids: never renumber a member, and
 * never reuse the value of a removed one (codegen refuses an id that changed against
 * jobby.lock.json).
 */
export enum ${enumName} {
  Greet = 0,
}

export interface GreetInput {
  /** Who to greet. */
  name: string;
}

export interface GreetOutput {
  greeting: string;
}

/** Each job type's input and output type, and whether people may submit it (CLI, admin UI). */
export const ${jobsName} = defineJobs({
  plugin: '${plugin}',
  enum: ${enumName},
  types: {
    Greet: {
      input: payload<GreetInput>(),
      output: payload<GreetOutput>(),
      submittable: true,
      description: 'An example job: greets someone. Replace it with your own.',
    },
  },
});
`,
  );

  files.set(
    `src/${fileStem}-module.ts`,
    `import type { JobCreationMode, JobRegistry, ModuleContext, PluginModule, WorkerCreationMode, WorkerRegistry } from '@jobby/core';
import { ${enumName}, ${jobsName} } from './jobs.js';

type ${Pascal}Jobs = typeof ${jobsName};

/**
 * The ${plugin} module: registers a worker for each job type, and in \`local\` jobs mode submits the
 * example job at startup (\`jobby worker --jobs-mode local\` runs it).
 */
export class ${moduleName} implements PluginModule<${Pascal}Jobs> {
  static initialize(_context: ModuleContext): ${moduleName} {
    // The context has db, logger, config (the "${plugin}" section of jobby.config.json) and dataDirectory.
    return new ${moduleName}();
  }

  workers(registry: WorkerRegistry<${Pascal}Jobs>, mode: WorkerCreationMode): void {
    if (mode === 'none') return;
    registry.register(${enumName}.Greet, '${plugin.replaceAll('-', '_')}_greeter', ({ input }) => ({ greeting: \`Hello, \${input.name}!\` }));
  }

  jobs(registry: JobRegistry<${Pascal}Jobs>, mode: JobCreationMode): void {
    if (mode !== 'local') return;
    // Startup jobs are idempotent on (type, key): a restart submits nothing new.
    registry.submit(${enumName}.Greet, 'example', { name: 'world' }).maxAttempts(3);
  }
}
`,
  );

  files.set(
    'src/index.ts',
    `/**
 * \`${packageName}\`: the jobby plugin "${plugin}".
 *
 * @example
 * \`\`\`ts
 * await client.submit(${jobsName}.refs.Greet, 'ada', { name: 'Ada' });
 * \`\`\`
 */
import { definePlugin } from '@jobby/core';
import { ${jobsName} } from './jobs.js';
import { ${moduleName} } from './${fileStem}-module.js';

export { ${enumName}, ${jobsName}, type GreetInput, type GreetOutput } from './jobs.js';
export { ${moduleName} } from './${fileStem}-module.js';

/** The plugin; \`jobby codegen\` finds it through this export. */
export const ${pluginName} = definePlugin({ jobs: ${jobsName}, module: ${moduleName} });
`,
  );

  files.set(
    `src/${fileStem}.test.ts`,
    `import { createJobbyClient, createLogger, createWorker, defineRegistry } from '@jobby/core';
import { createTestDatabase, until } from '@jobby/core/testing';
import { describe, expect, it } from 'vitest';
import { ${jobsName}, ${pluginName} } from './index.js';

/** The registry \`jobby codegen\` would emit for this plugin alone (any client id will do here). */
const registry = defineRegistry({
  plugins: [
    {
      name: '${plugin}',
      clientId: 1,
      packageName: '${packageName}',
      version: '0.0.0-test',
      definition: ${pluginName},
      jobTypes: [{ id: 1000, localId: 0, name: 'Greet', submittable: true }],
    },
  ],
});

describe('the ${plugin} plugin', () => {
  it('runs its example job in local mode', async () => {
    // The embedded database (PGlite): a real Postgres in this process, nothing to set up.
    const database = await createTestDatabase({ backend: 'embedded' });
    const worker = createWorker({ database, registry, workersMode: 'local', jobsMode: 'local', logger: createLogger({ level: 'silent' }) });
    try {
      await worker.start();
      const client = createJobbyClient({ database, registry });
      const job = await until('${plugin}.Greet:example', async () => {
        const current = await client.get(${jobsName}.refs.Greet, 'example');
        return current?.state === 'succeeded' && current;
      }, 30_000);
      expect(job.output).toEqual({ greeting: 'Hello, world!' });
    } finally {
      await worker.stop();
      await database.close();
    }
  });
});
`,
  );

  files.set(
    'README.md',
    `# ${packageName}

The jobby plugin \`${plugin}\`. Its job types are the members of \`${enumName}\` (\`src/jobs.ts\`); the
workers and startup jobs are registered by \`${moduleName}\` (\`src/${fileStem}-module.ts\`).

| job type | input | output | submittable |
|---|---|---|---|
| \`${plugin}.Greet\` | \`{ name: string }\` | \`{ greeting: string }\` | yes |

\`Greet\` is an example: in \`local\` jobs mode the module submits \`${plugin}.Greet:example\` at startup.

## Add a job type

1. Add a member with an explicit value to \`${enumName}\` (the next unused number; never reuse one).
2. Declare its input and output in \`${jobsName}\` with \`payload<T>()\`.
3. Register its handler in \`${moduleName}.workers()\`.
4. Run \`npx jobby codegen\` (it pins the id in \`jobby.lock.json\` and regenerates the typed registry).

Throw a \`NonRetryableError\` (from \`@jobby/core\`) for a failure that no retry can fix; any other
error is retried with backoff. Name another plugin's job with \`defineExternalJob\`, never by
importing that plugin: plugins depend only on \`@jobby/core\`.

## Run, test, build

\`\`\`sh
npx jobby worker --jobs-mode local                    # runs ${plugin}.Greet:example
npx jobby submit ${plugin}.Greet ada --input '{"name":"Ada"}'
npm test -w ${packageName}                            # the test in src/ (embedded database)
npm run build -w ${packageName}                       # dist/: .js and .d.ts, without the tests
\`\`\`
`,
  );
  return files;
}
