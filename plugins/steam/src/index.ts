/**
 * `@jobby/steam`: an example jobby plugin. `FetchAppList` fetches a Steam-like app list (by default
 * the sample list shipped in this package); `ProcessAppList` depends on it and derives statistics.
 *
 * @example
 * ```ts
 * await client.submit(steamJobs.refs.FetchAppList, 'daily', { url: 'https://example.test/apps.json' });
 * await client.submit(steamJobs.refs.ProcessAppList, 'daily', {}, { dependsOn: [{ type: 'steam.FetchAppList', key: 'daily' }] });
 * ```
 */
import { definePlugin } from '@jobby/core';
import { steamJobs } from './jobs.js';
import { SteamModule } from './steam-module.js';

export {
  SteamJob,
  steamJobs,
  type FetchAppListInput,
  type FetchAppListOutput,
  type ProcessAppListInput,
  type ProcessAppListOutput,
  type SteamApp,
  type WordCount,
} from './jobs.js';
export { SteamModule } from './steam-module.js';
export { PermanentSteamError, fixtureAppListUrl, loadAppList, parseAppList, sampleAppListUrl } from './app-list.js';
export { appListStats } from './app-list-stats.js';

/** The plugin; `jobby codegen` finds it through this export. */
export const steamPlugin = definePlugin({ jobs: steamJobs, module: SteamModule });
