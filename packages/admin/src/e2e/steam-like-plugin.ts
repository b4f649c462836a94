import { defineJobs, definePlugin, defineRegistry, payload, type ModuleContext, type PluginModule, type WorkerRegistry } from '@jobby/core';
import { demoRegistry } from '../../../core/src/runtime/test-fixtures/demo-plugin.js';

/**
 * A stand-in for the steam plugin's workflow (fetch the app list → process each page → fan in the
 * statistics), for the browser tests: the real plugin is being written in parallel, and a test
 * needs to decide which page fails (`steamLikeControl.failingPages`).
 */

export enum SteamLikeJob {
  FetchAppList = 0,
  ProcessAppPage = 1,
  AppListStats = 2,
}

export interface FetchAppListInput {
  url: string;
  pages: number;
  region: 'eu' | 'us';
  tags: string[];
  dryRun?: boolean;
}

export const steamLikeJobs = defineJobs({
  plugin: 'steam',
  enum: SteamLikeJob,
  types: {
    FetchAppList: { input: payload<FetchAppListInput>(), output: payload<{ pages: number }>(), submittable: true },
    ProcessAppPage: { input: payload<{ page: number }>(), output: payload<{ apps: number }>() },
    AppListStats: { input: payload<{ label: string }>(), output: payload<{ apps: number; pages: number }>() },
  },
});

export const steamLikeControl = { failingPages: new Set<number>() };

class SteamLikeModule implements PluginModule<typeof steamLikeJobs> {
  static initialize(_context: ModuleContext): SteamLikeModule {
    return new SteamLikeModule();
  }
  workers(registry: WorkerRegistry<typeof steamLikeJobs>): void {
    registry.register(SteamLikeJob.FetchAppList, 'app-list-fetcher', async ({ input }) => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      return { pages: input.pages };
    }, { concurrency: 2, pollIntervalMs: 250 });
    registry.register(SteamLikeJob.ProcessAppPage, 'app-page-processor', ({ input }) => {
      if (steamLikeControl.failingPages.has(input.page)) throw new Error(`page ${input.page}: upstream answered 503 Service Unavailable`);
      return { apps: input.page * 100 };
    }, { concurrency: 4, pollIntervalMs: 250 });
    registry.register(SteamLikeJob.AppListStats, 'app-list-stats', ({ dependencies }) => ({
      apps: dependencies.reduce((sum, dependency) => sum + ((dependency.output as { apps?: number } | null)?.apps ?? 0), 0),
      pages: dependencies.length,
    }), { pollIntervalMs: 250 });
  }
  jobs(): void {}
}

export const steamLikePlugin = definePlugin({ jobs: steamLikeJobs, module: SteamLikeModule });

const object = (properties: Record<string, unknown>, required: string[]) => ({ type: 'object', properties, required, additionalProperties: false });

/** The demo plugin (client 7) and the steam-like plugin (client 8). */
export const e2eRegistry = defineRegistry({
  plugins: [
    {
      name: 'steam',
      clientId: 8,
      packageName: '@jobby/admin (e2e fixture)',
      version: '0.0.0',
      definition: steamLikePlugin,
      jobTypes: [
        {
          id: 8000,
          localId: 0,
          name: 'FetchAppList',
          submittable: true,
          description: 'Fetches the app list, page by page.',
          inputSchema: {
            $schema: 'https://json-schema.org/draft/2020-12/schema',
            $ref: '#/$defs/FetchAppListInput',
            $defs: {
              FetchAppListInput: object(
                {
                  url: { type: 'string', minLength: 1 },
                  pages: { type: 'integer', minimum: 1, maximum: 10 },
                  region: { enum: ['eu', 'us'] },
                  tags: { type: 'array', items: { type: 'string' } },
                  dryRun: { type: 'boolean' },
                },
                ['url', 'pages', 'region', 'tags'],
              ),
            },
          },
          outputSchema: object({ pages: { type: 'integer' } }, ['pages']),
        },
        { id: 8001, localId: 1, name: 'ProcessAppPage', submittable: false, inputSchema: object({ page: { type: 'integer' } }, ['page']) },
        { id: 8002, localId: 2, name: 'AppListStats', submittable: false, inputSchema: object({ label: { type: 'string' } }, ['label']) },
      ],
    },
    // The demo plugin exactly as core's tests register it.
    ...demoRegistry.plugins,
  ],
});

/** Submits the workflow in one batch: fetch → `pages` page jobs → stats. Returns the ids by key. */
export async function submitSteamLikeWorkflow(
  client: { submitMany: (jobs: never, options?: never) => Promise<{ id: string; key: string }[]> },
  prefix: string,
  pages: number,
): Promise<Record<string, string>> {
  const fetch = { type: 'steam.FetchAppList', key: `${prefix}-fetch` };
  const pageKeys = Array.from({ length: pages }, (_, index) => ({ type: 'steam.ProcessAppPage', key: `${prefix}-page-${index + 1}` }));
  const results = await client.submitMany([
    { ...fetch, input: { url: 'https://store.example/api/apps', pages: Math.min(pages, 10), region: 'eu', tags: ['nightly'] }, options: { maxAttempts: 1 } },
    ...pageKeys.map((page, index) => ({ ...page, input: { page: index + 1 }, options: { maxAttempts: 1, dependsOn: [fetch] } })),
    { type: 'steam.AppListStats', key: `${prefix}-stats`, input: { label: prefix }, options: { maxAttempts: 1, dependsOn: pageKeys } },
  ] as never);
  return Object.fromEntries(results.map((result) => [result.key, result.id]));
}
