import { describe, expect, it } from 'vitest';
import { assignIds } from '../model/assign-ids.js';
import { parseLock, printLock } from '../model/lock-file.js';
import type { CodegenModel } from '../model/model.js';
import { verify } from './verify.js';

const location = { file: 'x.ts', line: 1 };
const module = { name: 'M', location, problems: [], present: true };
const pkg = (name: string) => ({ name: `@test/${name}`, version: '1.0.0', directory: `plugins/${name}`, declaredPlugin: name, origin: 'workspace' as const, entryFile: undefined });

describe('verify on plain data', () => {
  it('reports two plugins pinned to the same client id in a hand-merged lock', () => {
    const lockText = printLock({
      version: 1,
      plugins: {
        a: { clientId: 1, package: '@test/a', jobTypes: {}, tombstones: {} },
        b: { clientId: 1, package: '@test/b', jobTypes: {}, tombstones: {} },
      },
    });
    const previousLock = parseLock(lockText, 'jobby.lock.json').loaded;
    const model: CodegenModel = { plugins: [] };
    expect(verify({ model, ids: assignIds(model, previousLock.lock), previousLock })).toEqual([
      {
        code: 'LOCK_INVALID',
        message: 'client id 1 is pinned to both "a" (jobby.lock.json:4) and "b" (jobby.lock.json:10); give one of them a new client id above every other',
        file: 'jobby.lock.json',
        line: 10,
      },
    ]);
  });

  it('reports every problem of a run at once, sorted', () => {
    const model: CodegenModel = {
      plugins: [
        {
          name: 'Bad Name',
          package: pkg('bad'),
          exportName: 'badPlugin',
          location: { file: 'b.ts', line: 9 },
          enumName: 'Job',
          enumLocation: { file: 'b.ts', line: 2 },
          jobTypes: [
            { name: 'A', fullName: 'Bad Name.A', member: { name: 'A', value: undefined, valueKind: 'missing', location: { file: 'b.ts', line: 3 } }, declaration: undefined },
          ],
          module: { name: undefined, location: undefined, problems: [], present: false },
        },
        { name: 'ok', package: pkg('ok'), exportName: 'okPlugin', location, enumName: 'Job', enumLocation: location, jobTypes: [], module },
      ],
    };
    const previousLock = parseLock(printLock({ version: 1, plugins: {} }), 'jobby.lock.json').loaded;
    const codes = verify({ model, ids: assignIds(model, previousLock.lock), previousLock }).map((diagnostic) => diagnostic.code);
    expect(codes).toEqual(['ENUM_VALUE_MISSING', 'JOB_DECLARATION_INVALID', 'MODULE_MISSING', 'PLUGIN_NAME_INVALID']);
  });
});
