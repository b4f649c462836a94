import { readFileSync } from 'node:fs';
import { defineJobs, definePlugin, defineRegistry, payload, type ModuleContext, type PluginModule, type RegistryPluginEntry, type WorkerRegistry } from '@jobby/core';
import { SteamJob, steamJobs, steamPlugin } from '@jobby/steam';
import { demoRegistry } from '@jobby/core/testing';

/**
 * The registry of the browser tests: the real steam plugin (its `sentinel` chain is the workflow
 * whose DAG the tests open), a `shop` plugin whose catalogue workflow (fetch → one job per page →
 * fan in the statistics) lets a test decide which page fails (`shopControl.failingPages`), and the
 * demo plugin of core's tests.
 */

export enum ShopJob {
  FetchCatalog = 0,
  ProcessCatalogPage = 1,
  CatalogStats = 2,
}

export interface FetchCatalogInput {
  url: string;
  pages: number;
  region: 'eu' | 'us';
  tags: string[];
  dryRun?: boolean;
}

export const shopJobs = defineJobs({
  plugin: 'shop',
  enum: ShopJob,
  types: {
    FetchCatalog: { input: payload<FetchCatalogInput>(), output: payload<{ pages: number }>(), submittable: true },
    ProcessCatalogPage: { input: payload<{ page: number }>(), output: payload<{ items: number }>() },
    CatalogStats: { input: payload<{ label: string }>(), output: payload<{ items: number; pages: number }>() },
  },
});

export const shopControl = { failingPages: new Set<number>() };

class ShopModule implements PluginModule<typeof shopJobs> {
  static initialize(_context: ModuleContext): ShopModule {
    return new ShopModule();
  }
  workers(registry: WorkerRegistry<typeof shopJobs>): void {
    registry.register(ShopJob.FetchCatalog, 'catalog-fetcher', async ({ input }) => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      return { pages: input.pages };
    }, { concurrency: 2, pollIntervalMs: 250 });
    registry.register(ShopJob.ProcessCatalogPage, 'catalog-page-processor', ({ input }) => {
      if (shopControl.failingPages.has(input.page)) throw new Error(`page ${input.page}: upstream answered 503 Service Unavailable`);
      return { items: input.page * 100 };
    }, { concurrency: 4, pollIntervalMs: 250 });
    registry.register(ShopJob.CatalogStats, 'catalog-stats', ({ dependencies }) => ({
      items: dependencies.reduce((sum, dependency) => sum + ((dependency.output as { items?: number } | null)?.items ?? 0), 0),
      pages: dependencies.length,
    }), { pollIntervalMs: 250 });
  }
  jobs(): void {}
}

export const shopPlugin = definePlugin({ jobs: shopJobs, module: ShopModule });

const object = (properties: Record<string, unknown>, required: string[]) => ({ type: 'object', properties, required, additionalProperties: false });

/** The JSON schemas `jobby codegen` generated for a steam job type (packages/worker/src/generated/schemas). */
function generatedSchemas(name: keyof typeof SteamJob): { input: Record<string, unknown>; output: Record<string, unknown> } {
  const file = new URL(`../../../worker/src/generated/schemas/steam.${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(file, 'utf8')) as { input: Record<string, unknown>; output: Record<string, unknown> };
}

/** The real steam plugin as the generated registry lists it, with its client id from jobby.lock.json (3). */
export const steamEntry: RegistryPluginEntry = {
  name: 'steam',
  clientId: 3,
  packageName: '@jobby/steam',
  version: '0.1.0',
  definition: steamPlugin,
  jobTypes: (['FetchAppList', 'ProcessAppList'] as const).map((name) => {
    const schemas = generatedSchemas(name);
    return {
      id: 3000 + SteamJob[name],
      localId: SteamJob[name],
      name,
      submittable: steamJobs.types[name].submittable,
      description: steamJobs.types[name].description,
      inputSchema: schemas.input,
      outputSchema: schemas.output,
    };
  }),
};

/** The real steam plugin (client 3), the shop plugin (client 8) and the demo plugin (client 7). */
export const e2eRegistry = defineRegistry({
  plugins: [
    steamEntry,
    {
      name: 'shop',
      clientId: 8,
      packageName: '@jobby/admin (e2e fixture)',
      version: '0.0.0',
      definition: shopPlugin,
      jobTypes: [
        {
          id: 8000,
          localId: 0,
          name: 'FetchCatalog',
          submittable: true,
          description: 'Fetches the shop catalogue, page by page.',
          inputSchema: {
            $schema: 'https://json-schema.org/draft/2020-12/schema',
            $ref: '#/$defs/FetchCatalogInput',
            $defs: {
              FetchCatalogInput: object(
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
        { id: 8001, localId: 1, name: 'ProcessCatalogPage', submittable: false, inputSchema: object({ page: { type: 'integer' } }, ['page']) },
        { id: 8002, localId: 2, name: 'CatalogStats', submittable: false, inputSchema: object({ label: { type: 'string' } }, ['label']) },
      ],
    },
    // The demo plugin exactly as core's tests register it.
    ...demoRegistry.plugins,
  ],
});

/** Submits the catalogue workflow in one batch: fetch → `pages` page jobs → stats. Returns the ids by key. */
export async function submitShopWorkflow(
  client: { submitMany: (jobs: never, options?: never) => Promise<{ id: string; key: string }[]> },
  prefix: string,
  pages: number,
): Promise<Record<string, string>> {
  const fetch = { type: 'shop.FetchCatalog', key: `${prefix}-fetch` };
  const pageKeys = Array.from({ length: pages }, (_, index) => ({ type: 'shop.ProcessCatalogPage', key: `${prefix}-page-${index + 1}` }));
  const results = await client.submitMany([
    { ...fetch, input: { url: 'https://shop.example/api/catalog', pages: Math.min(pages, 10), region: 'eu', tags: ['nightly'] }, options: { maxAttempts: 1 } },
    ...pageKeys.map((page, index) => ({ ...page, input: { page: index + 1 }, options: { maxAttempts: 1, dependsOn: [fetch] } })),
    { type: 'shop.CatalogStats', key: `${prefix}-stats`, input: { label: prefix }, options: { maxAttempts: 1, dependsOn: pageKeys } },
  ] as never);
  return Object.fromEntries(results.map((result) => [result.key, result.id]));
}
