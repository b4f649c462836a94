import { migrate } from '@jobby/core';
import type { Command } from 'commander';
import { withDatabase } from '../database.js';
import type { CommandContext } from '../program.js';

export function registerMigrate(program: Command, context: CommandContext): void {
  program
    .command('migrate')
    .description('apply pending database migrations (safe to run from several processes at once)')
    .action(async () => {
      await withDatabase(async (database) => {
        const result = await migrate(database);
        const where = database.kind === 'embedded' ? 'the embedded database' : `schema "${database.schema}"`;
        context.io.stdout(result.applied.length === 0 ? `jobby migrate: ${where} is up to date\n` : `jobby migrate: applied ${result.applied.join(', ')} to ${where}\n`);
      });
    });
}
