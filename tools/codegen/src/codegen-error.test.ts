import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JobbyError, isJobbyError } from '@jobby/core/errors';
import { afterAll, describe, expect, it } from 'vitest';
import { CodegenError, findProjectRoot, runCodegenCli } from './index.js';

const work = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'jobby-codegen-error-')));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function ancestorsWithPackageJson(directory: string): string[] {
  const found: string[] = [];
  for (let current = directory; ; current = path.dirname(current)) {
    if (existsSync(path.join(current, 'package.json'))) found.push(current);
    if (path.dirname(current) === current) return found;
  }
}

describe('CodegenError', () => {
  it('is a JobbyError with a diagnostic code and a cause', () => {
    const cause = new Error('EACCES');
    const error = new CodegenError('ROOT_NOT_FOUND', 'no package.json found in /x or above', { cause });
    expect(error).toBeInstanceOf(JobbyError);
    expect(error).toMatchObject({ name: 'CodegenError', code: 'ROOT_NOT_FOUND', cause });
    expect(isJobbyError(error, 'ROOT_NOT_FOUND')).toBe(true);
  });

  it('is what a run outside any project throws, and the command line prints it with exit code 2', async () => {
    // The temporary directory must have no package.json above it for this test to mean anything.
    expect(ancestorsWithPackageJson(work)).toEqual([]);
    let thrown: unknown;
    try {
      findProjectRoot(work);
    } catch (error) {
      thrown = error;
    }
    expect(isJobbyError(thrown, 'ROOT_NOT_FOUND')).toBe(true);

    let stderr = '';
    const code = await runCodegenCli([], { cwd: work, stdout: () => {}, stderr: (text) => void (stderr += text) });
    expect(code).toBe(2);
    expect(stderr).toBe(`jobby codegen: ROOT_NOT_FOUND: no package.json found in ${work} or above\n`);
  });
});
