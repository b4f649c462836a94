import { migrate } from '@jobby/core';
import { withDatabase } from '../database.js';
import type { CommandContext } from '../program.js';

/** `jobby migrate`. */
export async function migrateAction(context: CommandContext): Promise<void> {
  await withDatabase(async (database) => {
    const result = await migrate(database);
    const where = database.kind === 'embedded' ? 'the embedded database' : `schema "${database.schema}"`;
    const changes = [
      ...(result.applied.length > 0 ? [result.applied.join(', ')] : []),
      ...(result.definitions.length > 0 ? [`${result.definitions.length} store definition${result.definitions.length === 1 ? '' : 's'}`] : []),
    ];
    context.io.stdout(changes.length === 0 ? `jobby migrate: ${where} is up to date\n` : `jobby migrate: applied ${changes.join(' and ')} to ${where}\n`);
  });
}
