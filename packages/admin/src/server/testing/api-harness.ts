import { createJobbyClient, createLogger, createWorker, type JobbyClient, type Worker } from '@jobby/core';
import { createTestDatabase, demoRegistry, type TestDatabase } from '@jobby/core/testing';
import { createAdminApp, type AdminAppOptions } from '../app.js';

/** A test database, the demo registry, an admin app with a token, and helpers to call it. */

export const silentLogger = createLogger({ level: 'silent' });
export const testToken = 'test-admin-token';

export interface ApiHarness {
  database: TestDatabase;
  client: JobbyClient;
  app: ReturnType<typeof createAdminApp>;
  /** Another app on the same database with other options. */
  appWith(options: Partial<AdminAppOptions>): ReturnType<typeof createAdminApp>;
  get<T = unknown>(path: string): Promise<{ status: number; body: T; headers: Headers }>;
  post<T = unknown>(path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; headers: Headers }>;
  startWorker(): Promise<Worker>;
  close(): Promise<void>;
}

export { until } from '@jobby/core/testing';

export async function createApiHarness(): Promise<ApiHarness> {
  const database = await createTestDatabase({ backend: 'postgres' });
  const client = createJobbyClient({ database, registry: demoRegistry });
  const appWith = (options: Partial<AdminAppOptions>) =>
    createAdminApp({ database, registry: demoRegistry, token: testToken, logger: silentLogger, uiDirectory: '/nonexistent-ui', ...options });
  const app = appWith({});
  const workers: Worker[] = [];
  const call = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await app.request(`http://127.0.0.1${path}`, {
      method,
      headers: {
        ...(method === 'GET' ? {} : { authorization: `Bearer ${testToken}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  };
  return {
    database,
    client,
    app,
    appWith,
    get: (path) => call('GET', path),
    post: (path, body, headers) => call('POST', path, body, headers),
    async startWorker() {
      const worker = createWorker({ database, registry: demoRegistry, logger: silentLogger, pollIntervalMs: 100, sweepIntervalMs: 200, concurrency: 4 });
      workers.push(worker);
      await worker.start();
      return worker;
    },
    async close() {
      await Promise.all(workers.splice(0).map((worker) => worker.stop({ graceMs: 100 })));
      await database.close();
    },
  };
}
