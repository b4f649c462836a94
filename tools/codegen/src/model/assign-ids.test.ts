import { describe, expect, it } from 'vitest';
import { assignIds } from './assign-ids.js';
import { emptyLock, parseLock, printLock, type LockFile } from './lock-file.js';
import type { CodegenModel, JobTypeModel, PluginModel } from './model.js';

const location = { file: 'x.ts', line: 1 };

function plugin(name: string, members: Record<string, number>): PluginModel {
  const jobTypes: JobTypeModel[] = Object.entries(members).map(([member, value]) => ({
    name: member,
    fullName: `${name}.${member}`,
    member: { name: member, value, valueKind: 'literal', initializerText: String(value), location },
    declaration: undefined,
  }));
  return {
    name,
    package: { name: `@test/${name}`, version: '1.0.0', directory: `plugins/${name}`, declaredPlugin: name, origin: 'workspace', entryFile: undefined },
    exportName: `${name}Plugin`,
    location,
    enumName: 'Job',
    enumLocation: location,
    jobTypes,
    module: { name: 'M', location, problems: [], present: true },
  };
}

const model = (...plugins: PluginModel[]): CodegenModel => ({ plugins });

describe('assignIds', () => {
  it('gives new plugins client ids in name order, and namespaced ids clientId * 1000 + localId', () => {
    const ids = assignIds(model(plugin('zeta', { A: 0 }), plugin('alpha', { B: 999 })), emptyLock);
    expect([...ids.clientIds]).toEqual([
      ['alpha', 1],
      ['zeta', 2],
    ]);
    expect([...ids.jobIds]).toEqual([
      ['zeta.A', 2000],
      ['alpha.B', 1999],
    ]);
  });

  it('is stable: the same model and lock give the same lock text, on any machine and order', () => {
    const first = assignIds(model(plugin('a', { X: 1 }), plugin('b', { Y: 2 })), emptyLock);
    const second = assignIds(model(plugin('b', { Y: 2 }), plugin('a', { X: 1 })), first.lock);
    expect(printLock(second.lock)).toBe(printLock(first.lock));
  });

  it('never reuses the client id of a removed plugin, and tombstones its job types', () => {
    const first = assignIds(model(plugin('a', { X: 1 }), plugin('b', { Y: 2 })), emptyLock);
    const second = assignIds(model(plugin('a', { X: 1 }), plugin('c', { Z: 0 })), first.lock);
    expect(second.clientIds.get('c')).toBe(3);
    expect(second.lock.plugins['b']).toEqual({ clientId: 2, package: '@test/b', removed: true, jobTypes: {}, tombstones: { Y: 2002 } });
  });

  it('tombstones a removed job type and keeps the tombstone on later runs', () => {
    const first = assignIds(model(plugin('a', { X: 1, Old: 2 })), emptyLock);
    const second = assignIds(model(plugin('a', { X: 1 })), first.lock);
    const third = assignIds(model(plugin('a', { X: 1, New: 3 })), second.lock);
    expect(third.lock.plugins['a']).toEqual({ clientId: 1, package: '@test/a', jobTypes: { X: 1001, New: 1003 }, tombstones: { Old: 1002 } });
  });

  it('leaves out job types whose local id is invalid (verify reports them)', () => {
    const ids = assignIds(model(plugin('a', { X: 1000, Y: -1, Z: 1.5 })), emptyLock);
    expect(ids.jobIds.size).toBe(0);
  });
});

describe('lock file', () => {
  const lock: LockFile = {
    version: 1,
    plugins: {
      b: { clientId: 2, package: '@test/b', jobTypes: { Y: 2001, X: 2000 }, tombstones: { Old: 2005 } },
      a: { clientId: 1, package: '@test/a', removed: true, jobTypes: {}, tombstones: {} },
    },
  };

  it('prints plugins by client id with ids ascending, and parses back with the line of every entry', () => {
    const text = printLock(lock);
    expect(text).toBe(
      [
        '{',
        '  "version": 1,',
        '  "plugins": {',
        '    "a": {',
        '      "clientId": 1,',
        '      "package": "@test/a",',
        '      "removed": true,',
        '      "jobTypes": {},',
        '      "tombstones": {}',
        '    },',
        '    "b": {',
        '      "clientId": 2,',
        '      "package": "@test/b",',
        '      "jobTypes": {',
        '        "X": 2000,',
        '        "Y": 2001',
        '      },',
        '      "tombstones": {',
        '        "Old": 2005',
        '      }',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    const { loaded, diagnostics } = parseLock(text, 'jobby.lock.json');
    expect(diagnostics).toEqual([]);
    expect(printLock(loaded.lock)).toBe(text);
    expect(Object.fromEntries(loaded.lines)).toEqual({ a: 4, b: 11, 'b.X': 15, 'b.Y': 16, 'b.~Old': 19 });
  });

  it('rejects a malformed lock with LOCK_INVALID', () => {
    expect(parseLock('{ "version": 2, "plugins": {} }', 'jobby.lock.json').diagnostics).toEqual([
      { code: 'LOCK_INVALID', message: 'jobby.lock.json: unsupported lock file version 2 (expected 1)', file: 'jobby.lock.json', line: 1 },
    ]);
    expect(parseLock('{ "version": 1, "plugins": { "a": { "clientId": 0, "package": "p", "jobTypes": {} } } }', 'jobby.lock.json').diagnostics[0]?.code).toBe('LOCK_INVALID');
    expect(parseLock('not json', 'jobby.lock.json').diagnostics[0]?.message).toMatch(/^jobby\.lock\.json: not valid JSON/);
  });
});
