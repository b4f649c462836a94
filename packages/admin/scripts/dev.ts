/**
 * `npm run dev -w @jobby/admin`: the admin API with a demo worker, and Vite's dev server with hot
 * reload in front of it (proxying /api). Uses DATABASE_URL when set, else the embedded database
 * under .jobby/data. The worker runs the real steam plugin (its startup jobs submit the `sentinel`
 * chain) and the shop stand-in of the browser tests, whose catalogue workflow is submitted once with
 * a failing page, so that every page has something to show.
 *
 *   npm run dev -w @jobby/admin            # UI at http://127.0.0.1:5173, API at :4100
 */
import { createServer } from 'vite';
import { fileURLToPath } from 'node:url';
import { createJobbyClient, createLogger, createWorker, databaseOptionsFromEnv, migrate, openDatabase } from '@jobby/core';
import { startAdminServer } from '../src/index.js';
import { e2eRegistry, shopControl, submitShopWorkflow } from '../src/testing/shop-plugin.js';

const logger = createLogger();
const database = await openDatabase({ ...databaseOptionsFromEnv(), applicationName: 'jobby-admin-dev' });
await migrate(database);
const worker = createWorker({ database, registry: e2eRegistry, logger, pollIntervalMs: 500 });
await worker.start();
const client = createJobbyClient({ database, registry: e2eRegistry });
shopControl.failingPages = new Set([3]);
await submitShopWorkflow(client as never, `dev-${new Date().toISOString().slice(0, 10)}`, 6);
const admin = await startAdminServer({ database, registry: e2eRegistry, worker, logger, port: 4100, embedded: database.kind === 'embedded' });
const vite = await createServer({ configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)), server: { port: 5173, host: '127.0.0.1' } });
await vite.listen();
logger.info({ ui: 'http://127.0.0.1:5173', api: admin.url }, 'admin dev server ready');

const stop = async () => {
  await vite.close();
  await admin.close();
  await worker.stop();
  await database.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
