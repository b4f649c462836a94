import { defineExternalJob, NonRetryableError, payload, type DependencyResult } from '@jobby/core';
import type { ProcessMetricsUploadOutput, WeeklyReportOutput } from './jobs.js';

/**
 * The cross-plugin fan-in. This plugin does not import `@jobby/steam` or `@jobby/email` (plugins
 * depend only on the core): it names their job types with handles of its own
 * (`defineExternalJob`) and reads their outputs through views of its own, checked at run time, so
 * that a change of shape in another plugin fails this job with a clear message instead of
 * producing a wrong report.
 */

/** The part of `steam.ProcessAppList`'s output this report reads. */
export interface AppListStatsView {
  total: number;
  unique: number;
  topWords: { word: string; count: number }[];
}

/** The part of `email.SendVerificationEmail`'s output this report reads. */
export interface DeliveryView {
  messageId: string;
  deliveredAt: string;
}

/** `steam.ProcessAppList`, as this plugin sees it. */
export const steamProcessAppList = defineExternalJob({ name: 'steam.ProcessAppList', output: payload<AppListStatsView>() });
/** `email.SendVerificationEmail`, as this plugin sees it. */
export const emailSendVerificationEmail = defineExternalJob({ name: 'email.SendVerificationEmail', output: payload<DeliveryView>() });
const metricsProcessMetricsUpload = 'metrics.ProcessMetricsUpload';

/** The dependencies' outputs do not fit the report: retrying the same outputs cannot help. */
export class ReportInputError extends NonRetryableError {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function single(dependencies: readonly DependencyResult[], type: string): DependencyResult {
  const found = dependencies.filter((dependency) => dependency.type === type);
  if (found.length !== 1) throw new ReportInputError(`the weekly report needs exactly one ${type} dependency, got ${found.length}`);
  return found[0]!;
}

export function readAppListStats(dependency: DependencyResult): AppListStatsView {
  const output = dependency.output;
  if (!isRecord(output) || typeof output['total'] !== 'number' || typeof output['unique'] !== 'number' || !Array.isArray(output['topWords'])) {
    throw new ReportInputError(`${dependency.type}:${dependency.key} output lacks total/unique/topWords`);
  }
  return output as unknown as AppListStatsView;
}

export function readDelivery(dependency: DependencyResult): DeliveryView {
  const output = dependency.output;
  if (!isRecord(output) || typeof output['messageId'] !== 'string' || typeof output['deliveredAt'] !== 'string') {
    throw new ReportInputError(`${dependency.type}:${dependency.key} output lacks messageId/deliveredAt`);
  }
  return output as unknown as DeliveryView;
}

/** Builds the report from the dependencies' outputs. Pure. */
export function buildWeeklyReport(title: string, dependencies: readonly DependencyResult[]): WeeklyReportOutput {
  const stats = readAppListStats(single(dependencies, steamProcessAppList.name));
  const delivery = readDelivery(single(dependencies, emailSendVerificationEmail.name));
  const uploads = dependencies.filter((dependency) => dependency.type === metricsProcessMetricsUpload).map((dependency) => dependency.output as ProcessMetricsUploadOutput);
  return {
    title,
    apps: { total: stats.total, unique: stats.unique, topWord: stats.topWords[0]?.word ?? null },
    notification: { messageId: delivery.messageId, deliveredAt: delivery.deliveredAt },
    uploads: { count: uploads.length, samples: uploads.reduce((sum, upload) => sum + upload.samples, 0), sum: uploads.reduce((sum, upload) => sum + upload.sum, 0) },
    sources: dependencies.map((dependency) => `${dependency.type}:${dependency.key}`).sort(),
  };
}
