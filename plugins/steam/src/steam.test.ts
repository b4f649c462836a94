import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { createJobbyClient, createLogger, createWorker, defineRegistry, type JobbyClient, type Worker } from '@jobby/core';
import { createTestDatabase, type TestDatabase } from '@jobby/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appListStats, fixtureAppListUrl, parseAppList, PermanentSteamError, sampleAppListUrl, steamJobs, steamPlugin, type FetchAppListOutput } from './index.js';
import { until } from '@jobby/core/testing';

/** The registry `jobby codegen` would emit for this plugin alone (client id 3). */
const registry = defineRegistry({
  plugins: [
    {
      name: 'steam',
      clientId: 3,
      packageName: '@jobby/steam',
      version: '0.0.0-test',
      definition: steamPlugin,
      jobTypes: [
        { id: 3000, localId: 0, name: 'FetchAppList', submittable: true },
        { id: 3001, localId: 1, name: 'ProcessAppList', submittable: true },
      ],
    },
  ],
});

const logger = createLogger({ level: 'silent' });

describe('app list parsing and statistics', () => {
  it('reads the shipped sample list and derives stable statistics', async () => {
    expect(fixtureAppListUrl).toBe(sampleAppListUrl); // the old name stays, deprecated
    const document: unknown = JSON.parse(await readFile(sampleAppListUrl, 'utf8'));
    const apps = parseAppList(document, 'sample');
    expect(apps).toHaveLength(31);
    const stats = appListStats({ apps, fetchedAt: '2024-01-01T00:00:00.000Z', source: 'sample' });
    expect(stats).toMatchObject({ total: 31, unique: 30, duplicates: 1, unnamed: 2 });
    expect(stats.longestName).toEqual({ id: 228980, name: 'Steamworks Common Redistributables' });
    expect(stats.topWords[0]).toEqual({ word: 'half', count: 11 });
  });

  it('refuses a document of another shape, naming the entry', () => {
    expect(() => parseAppList({ applist: { apps: [{ appid: 1, name: 'a' }, { appid: 'x', name: 'b' }] } }, 'u')).toThrow(
      new PermanentSteamError('u: applist.apps[1].appid must be a non-negative integer, got "x"'),
    );
    expect(() => parseAppList({ apps: [] }, 'u')).toThrow('u: expected { applist: { apps: [...] } }');
  });
});

describe('steam plugin on real Postgres', () => {
  let database: TestDatabase;
  let client: JobbyClient;
  let server: Server;
  let baseUrl: string;
  const workers: Worker[] = [];
  const startWorker = async (options: Partial<Parameters<typeof createWorker>[0]> = {}) => {
    const worker = createWorker({ database, registry, logger, pollIntervalMs: 100, sweepIntervalMs: 200, ...options });
    workers.push(worker);
    await worker.start();
    return worker;
  };

  beforeAll(async () => {
    database = await createTestDatabase({ backend: 'postgres' });
    client = createJobbyClient({ database, registry });
    server = createServer((request, response) => {
      if (request.url === '/apps.json') {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ applist: { apps: [{ appid: 7, name: 'Seven Seas' }, { appid: 3, name: 'Three Seas' }] } }));
      } else {
        response.statusCode = 404;
        response.end('not found');
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop({ graceMs: 100 })));
  });
  afterAll(async () => {
    server?.close();
    await database?.close();
  });

  it('runs the sentinel chain submitted at startup in local mode to success', async () => {
    await startWorker({ workersMode: 'local', jobsMode: 'local' });
    const processed = await until('steam.ProcessAppList:sentinel', async () => {
      const job = await client.get(steamJobs.refs.ProcessAppList, 'sentinel');
      return job?.state === 'succeeded' && job;
    });
    const fetched = await client.get(steamJobs.refs.FetchAppList, 'sentinel');
    expect(fetched).toMatchObject({ state: 'succeeded', maxAttempts: 19, attempts: 1 });
    expect(processed).toMatchObject({ maxAttempts: 7, attempts: 1 });
    const list: FetchAppListOutput = fetched!.output!;
    expect(list.source).toBe(sampleAppListUrl.href);
    // The processor consumed exactly the fetcher's typed output.
    expect(processed.output).toEqual(appListStats(list));
  });

  it('registers no workers and submits nothing in none mode', async () => {
    const worker = await startWorker({ workersMode: 'none', jobsMode: 'none' });
    await client.submit(steamJobs.refs.FetchAppList, 'idle', {});
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await client.get(steamJobs.refs.FetchAppList, 'idle'))?.state).toBe('queued');
    await worker.stop({ graceMs: 100 });
    await client.cancel(steamJobs.refs.FetchAppList, 'idle');
  });

  it('fetches from a URL and the dependent processes that list', async () => {
    await startWorker({ workersMode: 'production' });
    await client.submit(steamJobs.refs.FetchAppList, 'http', { url: `${baseUrl}/apps.json` });
    await client.submit(steamJobs.refs.ProcessAppList, 'http', { topWords: 1 }, { dependsOn: [{ type: steamJobs.refs.FetchAppList, key: 'http' }] });
    const processed = await until('the http chain', async () => {
      const job = await client.get(steamJobs.refs.ProcessAppList, 'http');
      return job?.state === 'succeeded' && job;
    });
    expect(processed.output).toMatchObject({ total: 2, unique: 2, longestName: { id: 3, name: 'Three Seas' }, topWords: [{ word: 'seas', count: 2 }], source: `${baseUrl}/apps.json` });
  });

  it('fails a 404 at once (no retry) and cancels its dependent', async () => {
    await startWorker({ workersMode: 'production' });
    await client.submit(steamJobs.refs.FetchAppList, 'missing', { url: `${baseUrl}/nope.json` }, { maxAttempts: 5 });
    await client.submit(steamJobs.refs.ProcessAppList, 'missing', {}, { dependsOn: [{ type: steamJobs.refs.FetchAppList, key: 'missing' }] });
    const failed = await until('the failed fetch', async () => {
      const job = await client.get(steamJobs.refs.FetchAppList, 'missing');
      return job?.state === 'failed' && job;
    });
    expect(failed.attempts).toBe(1);
    expect(failed.lastError?.message).toBe(`${baseUrl}/nope.json: HTTP 404 Not Found`);
    const dependent = await until('the dependent', async () => {
      const job = await client.get(steamJobs.refs.ProcessAppList, 'missing');
      return job?.state === 'cancelled' && job;
    });
    expect(dependent.lastError?.code).toBe('DEPENDENCY_FAILED');
  });

  it('fails a ProcessAppList submitted without its FetchAppList at once: no retry can add the dependency', async () => {
    await startWorker({ workersMode: 'production' });
    // What the admin form does when nobody fills in a dependency: the submission itself is valid.
    await client.submit(steamJobs.refs.ProcessAppList, 'orphan', {});
    const failed = await until('the dependency-less ProcessAppList', async () => {
      const job = await client.get(steamJobs.refs.ProcessAppList, 'orphan');
      return job?.state === 'failed' && job;
    });
    expect(failed).toMatchObject({ attempts: 1, maxAttempts: 25 });
    expect(failed.lastError).toMatchObject({
      code: 'DEPENDENCY_MISSING',
      message: "steam.ProcessAppList:orphan has no dependency steam.FetchAppList; submit it with dependsOn: [{ type: 'steam.FetchAppList', key }]",
    });
  });
});
