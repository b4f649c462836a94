import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { NonRetryableError } from '@jobby/core';
import type { MetricsSummary, ProcessMetricsUploadInput, ProcessMetricsUploadOutput } from './jobs.js';

/**
 * Reading and summarising a metrics upload. An upload is text: one sample per line, either a
 * number or `name,value` (the last comma-separated field is the value); blank lines and lines
 * starting with `#` are ignored, other non-numeric lines are reported in `skippedLines`.
 */

export const demoStorageId = 'demo';
const storageIdPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** An error that retrying cannot fix; the runtime fails the job at once. */
export class InvalidUploadError extends NonRetryableError {}

/** The file of an upload, refusing ids and paths that would leave the storage directory. */
export function uploadFile(storageRoot: string, input: ProcessMetricsUploadInput): string {
  if (!storageIdPattern.test(input.storageId)) throw new InvalidUploadError(`storageId ${JSON.stringify(input.storageId)} must match ${storageIdPattern}`);
  const normalized = path.posix.normalize(input.path.replaceAll('\\', '/'));
  if (input.path === '' || path.posix.isAbsolute(normalized) || normalized === '..' || normalized.startsWith('../')) {
    throw new InvalidUploadError(`path ${JSON.stringify(input.path)} must be relative and stay inside storage "${input.storageId}"`);
  }
  return path.join(storageRoot, input.storageId, ...normalized.split('/'));
}

/** Synthetic, deterministic content for the `demo` storage: 24 hourly samples seeded by the path. */
export function demoUpload(uploadPath: string): string {
  const lines = ['# demo upload: hour,requests'];
  let seed = createHash('sha256').update(uploadPath).digest();
  for (let hour = 0; hour < 24; hour++) {
    if (hour % 8 === 0) seed = createHash('sha256').update(seed).digest();
    lines.push(`${hour},${seed.readUInt16BE((hour % 8) * 2) % 1000}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function readUpload(storageRoot: string, input: ProcessMetricsUploadInput): Promise<string> {
  if (input.storageId === demoStorageId) {
    uploadFile(storageRoot, input); // the same path rules apply
    return demoUpload(input.path);
  }
  const file = uploadFile(storageRoot, input);
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InvalidUploadError(`upload ${input.storageId}:${input.path} not found (looked at ${file})`, { cause: error });
    }
    throw error;
  }
}

export function summarize(values: readonly number[]): MetricsSummary {
  if (values.length === 0) return { samples: 0, sum: 0, min: null, max: null, mean: null, p50: null, p95: null };
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  // Nearest-rank percentiles: always a sample that exists.
  const percentile = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { samples: sorted.length, sum, min: sorted[0]!, max: sorted.at(-1)!, mean: sum / sorted.length, p50: percentile(50), p95: percentile(95) };
}

/** Parses an upload's text and summarises it. Pure. */
export function processUpload(input: ProcessMetricsUploadInput, content: string): ProcessMetricsUploadOutput {
  const values: number[] = [];
  const skippedLines: number[] = [];
  content.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const field = trimmed.split(',').at(-1)!.trim();
    const value = Number(field);
    if (field === '' || !Number.isFinite(value)) {
      if (skippedLines.length < 20) skippedLines.push(index + 1);
      return;
    }
    values.push(value);
  });
  return {
    storageId: input.storageId,
    path: input.path,
    checksum: createHash('sha256').update(content).digest('hex'),
    ...summarize(values),
    skippedLines,
  };
}
