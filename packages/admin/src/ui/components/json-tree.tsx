import { useMemo, useState, type CSSProperties } from 'react';
import { formatPath, pageSize, primitiveText, splitMatches, visibleRows, type JsonRow, type JsonSearch } from '../services/json-tree.js';
import { copyText } from '../services/clipboard.js';

/** Longest string shown whole; a longer one is cut, with a button that shows the rest. */
const longString = 2_000;

/**
 * A JSON value as a collapsible tree (services/json-tree.ts has the model): containers open and
 * close, long lists show 100 children at a time, a search highlights matching keys and values and
 * opens the way to them (or, with `filter`, hides the rest), and each row copies its value or its
 * path. Everything is text: no HTML from the payload is ever interpreted.
 */
export function JsonTree({ value, search, filter, label }: { value: unknown; search: JsonSearch | undefined; filter: boolean; label: string }) {
  const [toggled, setToggled] = useState<ReadonlySet<string>>(new Set());
  const [shown, setShown] = useState<ReadonlyMap<string, number>>(new Map());
  // A new search starts from its own defaults.
  const [forSearch, setForSearch] = useState(search);
  if (forSearch !== search) {
    setForSearch(search);
    setToggled(new Set());
  }
  const rows = useMemo(() => visibleRows(value, { toggled, shown, search, filter }), [value, toggled, shown, search, filter]);
  const toggle = (key: string) =>
    setToggled((previous) => {
      const next = new Set(previous);
      if (!next.delete(key)) next.add(key);
      return next;
    });
  const showMore = (row: Extract<JsonRow, { kind: 'more' }>) => setShown((previous) => new Map(previous).set(row.parentKey, row.shown + pageSize));

  return (
    <div className="json-tree" role="tree" aria-label={label} data-testid="json-tree">
      {rows.map((row) =>
        row.kind === 'more' ? (
          <div key={row.key} className="json-row json-more" style={indent(row.depth)}>
            <button type="button" className="link-button" onClick={() => showMore(row)}>
              Show {Math.min(pageSize, row.remaining)} more
            </button>{' '}
            <span className="muted">({row.shown.toLocaleString('en-US')} of {(row.shown + row.remaining).toLocaleString('en-US')} shown)</span>
          </div>
        ) : (
          <JsonNodeRow key={row.key} row={row} query={search?.query} onToggle={toggle} />
        ),
      )}
    </div>
  );
}

function JsonNodeRow({ row, query, onToggle }: { row: Extract<JsonRow, { kind: 'node' }>; query: string | undefined; onToggle: (key: string) => void }) {
  const [copied, setCopied] = useState<string | undefined>();
  const copy = (what: 'value' | 'path') => {
    const text = what === 'path' ? formatPath(row.path) : JSON.stringify(row.value, null, 2);
    void copyText(text).then((done) => setCopied(done ? `${what} copied` : 'copy failed'));
  };
  return (
    <div
      className={`json-row${row.match ? ' json-match' : ''}`}
      style={indent(row.depth)}
      role="treeitem"
      aria-level={row.depth + 1}
      aria-expanded={row.container && row.size > 0 ? row.expanded : undefined}
      aria-selected={false}
      data-path={formatPath(row.path)}
    >
      {row.container && row.size > 0 ? (
        <button type="button" className="json-toggle" aria-label={`${row.expanded ? 'Collapse' : 'Expand'} ${formatPath(row.path)}`} onClick={() => onToggle(row.key)}>
          {row.expanded ? '▾' : '▸'}
        </button>
      ) : (
        <span className="json-toggle-space" />
      )}
      {row.name !== undefined ? (
        <span className={typeof row.name === 'number' ? 'json-index' : 'json-key'}>
          <Highlighted text={typeof row.name === 'number' ? String(row.name) : row.name} query={query} />
          <span className="json-punct">: </span>
        </span>
      ) : null}
      {row.container ? <span className="json-summary">{summary(row)}</span> : <Primitive value={row.value} query={query} />}
      <span className="json-actions">
        <button type="button" className="link-button" onClick={() => copy('value')} title="Copy this value as JSON">copy</button>
        <button type="button" className="link-button" onClick={() => copy('path')} title={`Copy the path ${formatPath(row.path)}`}>path</button>
        {copied ? <span className="muted small" role="status">{copied}</span> : null}
      </span>
    </div>
  );
}

function Primitive({ value, query }: { value: unknown; query: string | undefined }) {
  const [whole, setWhole] = useState(false);
  const text = primitiveText(value);
  const type = value === null ? 'null' : typeof value;
  const cut = !whole && text.length > longString;
  return (
    <span className={`json-value json-${type}`}>
      <Highlighted text={cut ? `${text.slice(0, longString)}…` : text} query={query} />
      {cut ? (
        <>
          {' '}
          <button type="button" className="link-button" onClick={() => setWhole(true)}>show all {text.length.toLocaleString('en-US')} characters</button>
        </>
      ) : null}
    </span>
  );
}

function Highlighted({ text, query }: { text: string; query: string | undefined }) {
  return (
    <>
      {splitMatches(text, query).map((part, index) => (part.match ? <mark key={index}>{part.text}</mark> : part.text))}
    </>
  );
}

function summary(row: Extract<JsonRow, { kind: 'node' }>): string {
  const count = row.size.toLocaleString('en-US');
  if (row.container === 'array') return row.size === 0 ? '[]' : `[ ${count} ${row.size === 1 ? 'item' : 'items'} ]`;
  return row.size === 0 ? '{}' : `{ ${count} ${row.size === 1 ? 'key' : 'keys'} }`;
}

const indent = (depth: number): CSSProperties => ({ '--depth': depth }) as CSSProperties;
