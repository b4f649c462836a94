import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { embeddedFile, renderEmbeddedMigrations } from './embed-migrations.js';
import { renderSchemaTypes, schemaTypesFile } from './generate-schema-types.js';

/** Generated files must match their sources; regenerate with the commands in migrations/README.md. */
describe('generated files', () => {
  it('embeds every migration of migrations/ as it is', async () => {
    expect(await readFile(embeddedFile, 'utf8')).toBe(await renderEmbeddedMigrations());
  });

  it('has storage types that kysely-codegen generates from the migrated schema', async () => {
    expect(await readFile(schemaTypesFile, 'utf8')).toBe(await renderSchemaTypes());
  }, 60_000);
});
