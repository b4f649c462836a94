import { generatedComment } from './header.js';
import type { PrintedPlugin } from './plan.js';

/** `schemas/<plugin>.<Job>.json`: the input and output JSON Schema of each job type. */
export function printSchemas(plugins: readonly PrintedPlugin[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const { jobTypes } of plugins) {
    for (const { jobType } of jobTypes) {
      const declaration = jobType.declaration!;
      const document = { $comment: generatedComment, input: declaration.input.schema, output: declaration.output.schema };
      files.set(`schemas/${jobType.fullName}.json`, `${JSON.stringify(document, null, 2)}\n`);
    }
  }
  return files;
}
