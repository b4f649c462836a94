import path from 'node:path';
import type { JobCreationMode, JobRegistry, ModuleContext, PluginModule, WorkerCreationMode, WorkerRegistry } from '@jobby/core';
import { MetricsJob, metricsJobs } from './jobs.js';
import { processUpload, readUpload } from './metrics-upload.js';
import { buildWeeklyReport, emailSendVerificationEmail, steamProcessAppList } from './weekly-report.js';

type MetricsJobs = typeof metricsJobs;

/**
 * The metrics module. Configuration (`plugins.metrics`): `storageRoot`, the directory holding
 * `<storageId>/<path>` uploads (default `<data dir>/metrics/storage`).
 *
 * In `local` jobs mode it submits the cross-plugin workflow: `metrics.BuildWeeklyReport:sentinel`
 * fans in `steam.ProcessAppList:sentinel`, `email.SendVerificationEmail:sentinel` (submitted by
 * those plugins in the same mode) and its own `metrics.ProcessMetricsUpload:sentinel`.
 */
export class MetricsModule implements PluginModule<MetricsJobs> {
  static initialize(context: ModuleContext): MetricsModule {
    const configured = context.config['storageRoot'];
    return new MetricsModule(typeof configured === 'string' ? path.resolve(configured) : path.join(context.dataDirectory, 'storage'));
  }

  constructor(readonly storageRoot: string) {}

  workers(registry: WorkerRegistry<MetricsJobs>, mode: WorkerCreationMode): void {
    if (mode === 'none') return;
    registry.register(MetricsJob.ProcessMetricsUpload, 'metrics_upload_processor', async ({ input }) =>
      processUpload(input, await readUpload(this.storageRoot, input)),
    );
    registry.register(MetricsJob.BuildWeeklyReport, 'metrics_weekly_report_builder', ({ input, dependencies }) => buildWeeklyReport(input.title, dependencies));
  }

  jobs(registry: JobRegistry<MetricsJobs>, mode: JobCreationMode): void {
    if (mode !== 'local') return;
    registry.submit(MetricsJob.ProcessMetricsUpload, 'sentinel', { storageId: 'demo', path: 'sentinel/requests.csv' }).maxAttempts(5);
    registry
      .submit(MetricsJob.BuildWeeklyReport, 'sentinel', { title: 'Sentinel weekly report' })
      .dependsOn(steamProcessAppList, 'sentinel')
      .dependsOn(emailSendVerificationEmail, 'sentinel')
      .dependsOn(MetricsJob.ProcessMetricsUpload, 'sentinel')
      .maxAttempts(5);
  }
}
