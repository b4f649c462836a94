/**
 * Stage 4, print: every generated file as text, keyed by its path relative to the output
 * directory. Deterministic: the same model and ids always give byte-identical files.
 */
import type { IdAssignment } from '../model/assign-ids.js';
import type { CodegenModel } from '../model/model.js';
import { planOutput } from './plan.js';
import { printJobTypes } from './print-job-types.js';
import { printRegistry } from './print-registry.js';
import { printSchemas } from './print-schemas.js';
import { printWorker } from './print-worker.js';
import { compareText } from '../compare-text.js';

/** Prints the generated files of a verified model, sorted by path. */
export function print(model: CodegenModel, ids: IdAssignment): Map<string, string> {
  const plugins = planOutput(model, ids);
  const files = new Map<string, string>([
    ['job-types.ts', printJobTypes(plugins)],
    ['registry.ts', printRegistry(plugins)],
    ['worker.ts', printWorker()],
    ...printSchemas(plugins),
  ]);
  return new Map([...files].sort(([a], [b]) => compareText(a, b)));
}
