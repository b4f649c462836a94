import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The compile error a string job name gets where the generated job types are not visible must say
 * how to get them: compiled here with the TypeScript API, as a program of its own (the type tests
 * in this package's own program augment the map).
 */

const typeTests = fileURLToPath(new URL('../../type-tests/', import.meta.url));
const virtualFile = path.join(typeTests, 'error-message.virtual.ts');

function diagnosticsOf(source: string): string[] {
  const configFile = path.join(typeTests, 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const host = ts.createCompilerHost(config.options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, ...rest) => (path.resolve(file) === virtualFile ? ts.createSourceFile(file, source, language) : getSourceFile(file, language, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => path.resolve(file) === virtualFile || fileExists(file);
  const program = ts.createProgram({ rootNames: [virtualFile], options: config.options, host });
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(virtualFile)).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

describe('a string job name without the generated job types', () => {
  it('does not compile, and the error says to run jobby codegen and import job-types.ts, or to use a handle', () => {
    const errors = diagnosticsOf(`
      import type { JobbyClient } from '../src/index.js';
      declare const client: JobbyClient;
      export const submitted = client.submit('billing.Invoice', 'k', { total: 1 });
    `);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`Argument of type '"billing.Invoice"' is not assignable to parameter of type`);
    expect(errors[0]).toContain('jobby: no generated job types in this program: run `jobby codegen` and import the generated job-types.ts');
    expect(errors[0]).toContain('or name the job by a handle');
  }, 60_000);
});
