import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './diff.js';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a.ts', 'x\n', 'x\n')).toBe('');
  });

  it('shows changed lines with context', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8'].join('\n');
    const after = ['1', '2', '3', '4', 'five', '6', '7', '8'].join('\n');
    expect(unifiedDiff('a.ts', before, after)).toBe(
      ['--- a.ts (on disk)', '+++ a.ts (generated)', '@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8'].join('\n'),
    );
  });

  it('shows a new file and a deleted file', () => {
    expect(unifiedDiff('n.ts', undefined, 'a')).toBe(['--- /dev/null', '+++ n.ts (generated)', '@@ -0,0 +1,1 @@', '+a'].join('\n'));
    expect(unifiedDiff('o.ts', 'a', undefined)).toBe(['--- o.ts (on disk)', '+++ /dev/null', '@@ -1,1 +0,0 @@', '-a'].join('\n'));
  });
});
