/**
 * `@jobby/metrics`: an example jobby plugin. `ProcessMetricsUpload` summarises an uploaded metrics
 * file; `BuildWeeklyReport` is a cross-plugin fan-in over `steam.ProcessAppList`,
 * `email.SendVerificationEmail` and metrics uploads.
 *
 * @example
 * ```ts
 * await client.submit(metricsJobs.refs.ProcessMetricsUpload, 'upload-42', { storageId: 'demo', path: 'week-1.csv' });
 * ```
 */
import { definePlugin } from '@jobby/core';
import { metricsJobs } from './jobs.js';
import { MetricsModule } from './metrics-module.js';

export {
  MetricsJob,
  metricsJobs,
  type BuildWeeklyReportInput,
  type MetricsSummary,
  type ProcessMetricsUploadInput,
  type ProcessMetricsUploadOutput,
  type WeeklyReportOutput,
} from './jobs.js';
export { MetricsModule } from './metrics-module.js';
export { InvalidUploadError, demoStorageId, demoUpload, processUpload, readUpload, summarize, uploadFile } from './metrics-upload.js';
export { ReportInputError, buildWeeklyReport, type AppListStatsView, type DeliveryView } from './weekly-report.js';

/** The plugin; `jobby codegen` finds it through this export. */
export const metricsPlugin = definePlugin({ jobs: metricsJobs, module: MetricsModule });
