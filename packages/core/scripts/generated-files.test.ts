import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { embeddedFile, renderEmbeddedMigrations } from './embed-migrations.js';
import { renderSchemaTypes, schemaTypesFile } from './generate-schema-types.js';
import { renderSchemaDump, schemaDumpFile } from './dump-schema.js';

/** Generated files must match their sources; regenerate with the commands in migrations/README.md. */
describe('generated files', () => {
  it('embeds every migration of migrations/ as it is', async () => {
    expect(await readFile(embeddedFile, 'utf8')).toBe(await renderEmbeddedMigrations());
  });

  it('has storage types that kysely-codegen generates from the migrated schema', async () => {
    expect(await readFile(schemaTypesFile, 'utf8')).toBe(await renderSchemaTypes());
  }, 60_000);

  // Needs a real Postgres and pg_dump (as CI has): fails, never skips, without them.
  it('has a schema dump (schema.sql) that matches the migrated schema', async () => {
    const committed = await readFile(schemaDumpFile, 'utf8').catch(() => '(missing)');
    const rendered = await renderSchemaDump();
    if (committed !== rendered) {
      const diff = lineDiff(committed, rendered);
      expect.fail(`packages/core/schema.sql is stale: run npm run generate:schema-dump -w @jobby/core\n${diff}`);
    }
  }, 60_000);
});

/** The lines only in one of the two texts, marked - (committed) and + (migrated): enough to see what changed. */
function lineDiff(committed: string, rendered: string): string {
  const before = committed.split('\n');
  const after = rendered.split('\n');
  const inBefore = new Set(before);
  const inAfter = new Set(after);
  return [...before.filter((line) => !inAfter.has(line)).map((line) => `- ${line}`), ...after.filter((line) => !inBefore.has(line)).map((line) => `+ ${line}`)]
    .slice(0, 80)
    .join('\n');
}
