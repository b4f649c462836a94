/**
 * Stage 2, model: the scanned plugins as one deterministic, plain-data model (sorted by plugin
 * name, then package name). Nothing here touches TypeScript.
 */
import type { CodegenModel, PluginModel } from './model.js';
import { compareText } from '../compare-text.js';

/** Orders plugins deterministically; job types keep their enum declaration order. */
export function buildModel(plugins: readonly PluginModel[]): CodegenModel {
  const sorted = [...plugins].sort((a, b) => compareText(a.name, b.name) || compareText(a.package.name, b.package.name) || compareText(a.package.directory, b.package.directory));
  return { plugins: sorted };
}

/** The local id of a job type when it is a valid one (an integer literal 0–999), else undefined. */
export function validLocalId(value: number | undefined): number | undefined {
  return value !== undefined && Number.isInteger(value) && value >= 0 && value <= maxLocalId ? value : undefined;
}

export const maxLocalId = 999;
export const localIdsPerClient = 1000;
