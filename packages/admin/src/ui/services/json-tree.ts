/**
 * The JSON viewer's model (components/json-tree.tsx): which rows of a JSON value are on screen.
 *
 * Made for payloads of megabytes: rows are produced only for expanded containers (a collapsed
 * one's children are never visited), and a container shows its children a page at a time
 * (`pageSize`, 100), so a 600 KiB output opens as a few dozen rows. Search walks the whole value
 * once per query and returns the paths that match (a key or a primitive value containing the
 * text, case-insensitive) and their ancestors, which open by themselves; with `filter`, an open
 * container lists only the children on the way to a match.
 */

export type JsonPath = readonly (string | number)[];

/** A path as a string key (for sets and React keys): the parts joined by a separator JSON text never holds raw. */
export const pathKey = (parent: string, key: string | number): string => `${parent}\u0001${key}`;
export const rootKey = '';

export interface JsonSearch {
  query: string;
  /** Paths whose key or primitive value contains the query. */
  matches: ReadonlySet<string>;
  /** Paths of containers on the way to a match. */
  ancestors: ReadonlySet<string>;
  /** True when the search stopped at `maxMatches`. */
  capped: boolean;
}

export interface JsonViewState {
  /** Containers whose open/closed state the person flipped (from its default). */
  toggled: ReadonlySet<string>;
  /** How many children a container shows, where more than one page was asked for. */
  shown: ReadonlyMap<string, number>;
  search?: JsonSearch;
  /** With a search: list only the children on the way to a match. */
  filter?: boolean;
}

export type JsonRow =
  | {
      kind: 'node';
      key: string;
      path: JsonPath;
      depth: number;
      /** The object key or array index; undefined for the root. */
      name: string | number | undefined;
      value: unknown;
      container: 'object' | 'array' | undefined;
      /** Children of a container. */
      size: number;
      expanded: boolean;
      /** The key or value matches the search. */
      match: boolean;
    }
  | { kind: 'more'; key: string; parentKey: string; depth: number; shown: number; remaining: number };

export const pageSize = 100;
export const maxMatches = 10_000;

export function containerOf(value: unknown): 'object' | 'array' | undefined {
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' && value !== null ? 'object' : undefined;
}

function sizeOf(value: unknown, container: 'object' | 'array' | undefined): number {
  if (container === 'array') return (value as unknown[]).length;
  if (container === 'object') return Object.keys(value as object).length;
  return 0;
}

/**
 * Open by default: the root, and small containers among few siblings near it, so that a small
 * payload reads at a glance while a list of many objects opens as one line each.
 */
function openByDefault(depth: number, size: number, siblings: number): boolean {
  return depth === 0 || (depth <= 2 && size <= 10 && siblings <= 10);
}

/** Matches of `query` in keys and primitive values (see the header); undefined for an empty query. */
export function searchJson(value: unknown, query: string): JsonSearch | undefined {
  const needle = query.trim().toLowerCase();
  if (!needle) return undefined;
  const matches = new Set<string>();
  const ancestors = new Set<string>();
  let capped = false;
  const visit = (node: unknown, key: string, name: string | number | undefined, parents: string[]): void => {
    if (capped) return;
    const container = containerOf(node);
    const nameMatches = name !== undefined && String(name).toLowerCase().includes(needle);
    const valueMatches = container === undefined && primitiveText(node).toLowerCase().includes(needle);
    if (nameMatches || valueMatches) {
      if (matches.size >= maxMatches) {
        capped = true;
        return;
      }
      matches.add(key);
      for (const parent of parents) ancestors.add(parent);
    }
    if (container === 'array') {
      const items = node as unknown[];
      parents.push(key);
      for (let index = 0; index < items.length; index++) visit(items[index], pathKey(key, index), index, parents);
      parents.pop();
    } else if (container === 'object') {
      parents.push(key);
      for (const [childName, child] of Object.entries(node as Record<string, unknown>)) visit(child, pathKey(key, childName), childName, parents);
      parents.pop();
    }
  };
  visit(value, rootKey, undefined, []);
  return { query: needle, matches, ancestors, capped };
}

/** A primitive as the viewer shows it: strings quoted, as JSON writes them. */
export function primitiveText(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** The rows on screen for `value` in `state`, in order. */
export function visibleRows(value: unknown, state: JsonViewState): JsonRow[] {
  const rows: JsonRow[] = [];
  const { search, toggled, shown } = state;
  const filtering = Boolean(search && state.filter);
  const visit = (node: unknown, key: string, path: JsonPath, depth: number, name: string | number | undefined, siblings: number): void => {
    const container = containerOf(node);
    const size = sizeOf(node, container);
    const byDefault = search ? search.ancestors.has(key) || (!filtering && openByDefault(depth, size, siblings)) : openByDefault(depth, size, siblings);
    const expanded = container !== undefined && size > 0 && byDefault !== toggled.has(key);
    rows.push({ kind: 'node', key, path, depth, name, value: node, container, size, expanded, match: search?.matches.has(key) ?? false });
    if (!expanded) return;
    const entries: [string | number, unknown][] =
      container === 'array' ? (node as unknown[]).map((item, index) => [index, item]) : Object.entries(node as Record<string, unknown>);
    const listed = filtering
      ? entries.filter(([childName]) => {
          const childKey = pathKey(key, childName);
          return search!.matches.has(childKey) || search!.ancestors.has(childKey);
        })
      : entries;
    const limit = shown.get(key) ?? pageSize;
    for (const [childName, child] of listed.slice(0, limit)) visit(child, pathKey(key, childName), [...path, childName], depth + 1, childName, size);
    if (listed.length > limit) rows.push({ kind: 'more', key: `${key}\u0002more`, parentKey: key, depth: depth + 1, shown: limit, remaining: listed.length - limit });
  };
  visit(value, rootKey, [], 0, undefined, 1);
  return rows;
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A path as JavaScript would reach it: `$.apps[3].name`, `$["a key"]`. */
export function formatPath(path: JsonPath): string {
  return `$${path.map((part) => (typeof part === 'number' ? `[${part}]` : identifier.test(part) ? `.${part}` : `[${JSON.stringify(part)}]`)).join('')}`;
}

/** Splits `text` around case-insensitive occurrences of `query` (lower-case), for highlighting. */
export function splitMatches(text: string, query: string | undefined): { text: string; match: boolean }[] {
  if (!query) return [{ text, match: false }];
  const lower = text.toLowerCase();
  const parts: { text: string; match: boolean }[] = [];
  let from = 0;
  for (let at = lower.indexOf(query); at >= 0; at = lower.indexOf(query, at + query.length)) {
    if (at > from) parts.push({ text: text.slice(from, at), match: false });
    parts.push({ text: text.slice(at, at + query.length), match: true });
    from = at + query.length;
  }
  if (from < text.length) parts.push({ text: text.slice(from), match: false });
  return parts;
}
