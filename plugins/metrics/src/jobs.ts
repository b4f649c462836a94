import { defineJobs, payload } from '@jobby/core';

/** The metrics plugin's job types (values are local IDs: never renumber or reuse one). */
export enum MetricsJob {
  ProcessMetricsUpload = 0,
  BuildWeeklyReport = 1,
}

export interface ProcessMetricsUploadInput {
  /**
   * The storage the upload lives in: `demo` for built-in synthetic data (derived from `path`), any
   * other id for the directory `<data dir>/metrics/storage/<storageId>`.
   */
  storageId: string;
  /** The upload's path inside the storage, relative (no `..`). */
  path: string;
}

export interface MetricsSummary {
  samples: number;
  sum: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  p50: number | null;
  p95: number | null;
}

export interface ProcessMetricsUploadOutput extends MetricsSummary {
  storageId: string;
  path: string;
  /** sha256 of the upload's bytes: the same upload always yields the same output. */
  checksum: string;
  /** Lines that were not a number (1-based line numbers, at most 20). */
  skippedLines: number[];
}

export interface BuildWeeklyReportInput {
  title: string;
}

export interface WeeklyReportOutput {
  title: string;
  /** From `steam.ProcessAppList`. */
  apps: { total: number; unique: number; topWord: string | null };
  /** From `email.SendVerificationEmail`. */
  notification: { messageId: string; deliveredAt: string };
  /** From `metrics.ProcessMetricsUpload` dependencies (summed over all of them). */
  uploads: { count: number; samples: number; sum: number };
  /** The `plugin.Job:key` of every dependency, sorted. */
  sources: string[];
}

export const metricsJobs = defineJobs({
  plugin: 'metrics',
  enum: MetricsJob,
  types: {
    ProcessMetricsUpload: {
      input: payload<ProcessMetricsUploadInput>(),
      output: payload<ProcessMetricsUploadOutput>(),
      submittable: true,
      description: 'Summarises an uploaded metrics file (one number per line, or name,value).',
    },
    BuildWeeklyReport: {
      input: payload<BuildWeeklyReportInput>(),
      output: payload<WeeklyReportOutput>(),
      submittable: false,
      description: 'Fans in steam.ProcessAppList, email.SendVerificationEmail and metrics uploads into one report.',
    },
  },
});
