import { createJobbyClient, createPayloadValidator, describeError, isJobbyError, maxPriority, minPriority, type JobbyRegistry, type RegisteredJobType } from '@jobby/core';
import { CliError, exitCodes } from '../cli-error.js';
import { withDatabase } from '../database.js';
import { dependencyOption, integerOption, isoDateOption, jobTypeArgument, jsonOption } from '../options.js';
import type { CommandContext } from '../program.js';
import { loadRegistry } from '../project.js';

export interface SubmitFlags {
  input?: string;
  dependsOn: string[];
  maxAttempts?: string;
  runAt?: string;
  priority?: string;
  json?: boolean;
}

function requireType(registry: JobbyRegistry, what: string, name: string): RegisteredJobType {
  try {
    return registry.require(name);
  } catch (error) {
    throw new CliError(`${what}: ${describeError(error)}`, exitCodes.usage, { cause: error });
  }
}

/** `jobby submit <type> <key>`. */
export async function submitAction(typeName: string, key: string, flags: SubmitFlags, context: CommandContext): Promise<void> {
  // Everything is checked before the database is opened: a refused submission writes nothing.
  jobTypeArgument('<type>', typeName);
  if (key.length === 0 || key.length > 512) throw new CliError(`<key> must be 1–512 characters, got ${key.length}`);
  const input = flags.input === undefined ? {} : jsonOption('--input', flags.input);
  const dependsOn = flags.dependsOn.map(dependencyOption);
  const maxAttempts = flags.maxAttempts === undefined ? undefined : integerOption('--max-attempts', flags.maxAttempts, 1, 1000);
  const runAt = flags.runAt === undefined ? undefined : isoDateOption('--run-at', flags.runAt);
  const priority = flags.priority === undefined ? undefined : integerOption('--priority', flags.priority, minPriority, maxPriority);
  const registry = await loadRegistry(context.io.cwd);
  const type = requireType(registry, '<type>', typeName);
  if (!type.submittable) throw new CliError(`${type.fullName} is not submittable: its plugin declares it with submittable: false (${type.plugin.packageName})`);
  const dependencies = dependsOn.map((dependency) => ({ type: requireType(registry, '--depends-on', dependency.type).ref, key: dependency.key }));
  try {
    createPayloadValidator().serializeInput(type, input);
  } catch (error) {
    throw new CliError(`--input: ${describeError(error)}`, exitCodes.usage, { cause: error });
  }
  const result = await withDatabase(async (database) => {
    const client = createJobbyClient({ database, registry });
    try {
      return await client.submit(type.ref, key, input, { dependsOn: dependencies, maxAttempts, runAt, priority });
    } catch (error) {
      if (isJobbyError(error, ['DEPENDENCY_MISSING', 'DEPENDENCY_CYCLE'])) throw new CliError(`--depends-on: ${error.message}`, exitCodes.usage, { cause: error });
      throw error;
    }
  });
  if (flags.json) context.io.stdout(`${JSON.stringify({ id: result.id, type: result.type, key: result.key, state: result.state, created: result.created })}\n`);
  else context.io.stdout(`${result.created ? 'submitted' : 'already exists:'} ${result.type}:${result.key} (id ${result.id}, ${result.state})\n`);
}
