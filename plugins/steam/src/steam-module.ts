import type { JobCreationMode, JobRegistry, ModuleContext, PluginModule, WorkerCreationMode, WorkerRegistry } from '@jobby/core';
import { appListUrl, loadAppList } from './app-list.js';
import { appListStats } from './app-list-stats.js';
import { SteamJob, steamJobs } from './jobs.js';

type SteamJobs = typeof steamJobs;

/**
 * The steam module: workers for both job types in `local` and `production` mode, and the
 * `sentinel` chain as startup jobs (FetchAppList → ProcessAppList, with the seed's allowed
 * attempts, 19 and 7).
 */
export class SteamModule implements PluginModule<SteamJobs> {
  static initialize(_context: ModuleContext): SteamModule {
    return new SteamModule();
  }

  workers(registry: WorkerRegistry<SteamJobs>, mode: WorkerCreationMode): void {
    if (mode === 'none') return;
    registry.register(
      SteamJob.FetchAppList,
      'steam_app_list_fetcher',
      async ({ input, signal }) => {
        const url = appListUrl(input.url);
        const apps = await loadAppList(url, signal);
        return { apps, fetchedAt: new Date().toISOString(), source: url.href };
      },
      { timeoutMs: 30_000, concurrency: 2 },
    );
    registry.register(SteamJob.ProcessAppList, 'steam_app_list_processor', ({ input, dependencyOutput }) =>
      appListStats(dependencyOutput(steamJobs.refs.FetchAppList), input.topWords),
    );
  }

  jobs(registry: JobRegistry<SteamJobs>, mode: JobCreationMode): void {
    if (mode === 'none') return;
    registry.submit(SteamJob.FetchAppList, 'sentinel', {}).maxAttempts(19);
    registry.submit(SteamJob.ProcessAppList, 'sentinel', {}).dependsOn(SteamJob.FetchAppList, 'sentinel').maxAttempts(7);
    if (mode === 'production') {
      // A fresh app list every night at 03:00 Berlin time (DST included), one job per night however
      // many workers run; a night missed while no worker ran is fetched once at the next start.
      registry.schedule(SteamJob.FetchAppList, { name: 'nightly', cron: '0 3 * * *', timezone: 'Europe/Berlin', input: {}, catchUp: 'last', retentionSeconds: 30 * 86_400 });
    }
  }
}
