/**
 * A small unified line diff for `--check` (stale output must be readable in CI logs). Common
 * prefix and suffix are trimmed; the middle is diffed by LCS when small, else shown as a
 * replaced block.
 */

const contextLines = 3;
const maxLcsCells = 4_000_000;

type Edit = { kind: ' ' | '-' | '+'; line: string };

function lcsEdits(before: readonly string[], after: readonly string[]): Edit[] {
  const rows = before.length;
  const columns = after.length;
  if (rows * columns > maxLcsCells) {
    return [...before.map((line) => ({ kind: '-' as const, line })), ...after.map((line) => ({ kind: '+' as const, line }))];
  }
  const table = Array.from({ length: rows + 1 }, () => new Uint32Array(columns + 1));
  for (let row = rows - 1; row >= 0; row--) {
    for (let column = columns - 1; column >= 0; column--) {
      table[row]![column] = before[row] === after[column] ? table[row + 1]![column + 1]! + 1 : Math.max(table[row + 1]![column]!, table[row]![column + 1]!);
    }
  }
  const edits: Edit[] = [];
  let row = 0;
  let column = 0;
  while (row < rows && column < columns) {
    if (before[row] === after[column]) {
      edits.push({ kind: ' ', line: before[row]! });
      row++;
      column++;
    } else if (table[row + 1]![column]! >= table[row]![column + 1]!) {
      edits.push({ kind: '-', line: before[row++]! });
    } else {
      edits.push({ kind: '+', line: after[column++]! });
    }
  }
  while (row < rows) edits.push({ kind: '-', line: before[row++]! });
  while (column < columns) edits.push({ kind: '+', line: after[column++]! });
  return edits;
}

/**
 * A unified diff of two texts, or '' when they are equal.
 *
 * @example
 * ```ts
 * unifiedDiff('registry.ts', 'a\nb\n', 'a\nc\n'); // --- registry.ts … -b +c
 * ```
 */
export function unifiedDiff(name: string, before: string | undefined, after: string | undefined): string {
  if (before === after) return '';
  const beforeLines = before === undefined ? [] : before.split('\n');
  const afterLines = after === undefined ? [] : after.split('\n');
  let prefix = 0;
  while (prefix < beforeLines.length && prefix < afterLines.length && beforeLines[prefix] === afterLines[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < beforeLines.length - prefix &&
    suffix < afterLines.length - prefix &&
    beforeLines[beforeLines.length - 1 - suffix] === afterLines[afterLines.length - 1 - suffix]
  ) {
    suffix++;
  }
  const middle = lcsEdits(beforeLines.slice(prefix, beforeLines.length - suffix), afterLines.slice(prefix, afterLines.length - suffix));
  const start = Math.max(0, prefix - contextLines);
  const edits: Edit[] = [
    ...beforeLines.slice(start, prefix).map((line) => ({ kind: ' ' as const, line })),
    ...middle,
    ...beforeLines.slice(beforeLines.length - suffix, beforeLines.length - suffix + contextLines).map((line) => ({ kind: ' ' as const, line })),
  ];
  const removed = edits.filter((edit) => edit.kind !== '+').length;
  const added = edits.filter((edit) => edit.kind !== '-').length;
  const header = [
    `--- ${before === undefined ? '/dev/null' : `${name} (on disk)`}`,
    `+++ ${after === undefined ? '/dev/null' : `${name} (generated)`}`,
    `@@ -${before === undefined ? 0 : start + 1},${removed} +${after === undefined ? 0 : start + 1},${added} @@`,
  ];
  return [...header, ...edits.map((edit) => `${edit.kind}${edit.line}`)].join('\n');
}
