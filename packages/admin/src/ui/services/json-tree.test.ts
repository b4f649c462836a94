import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { JsonTree } from '../components/json-tree.js';
import { formatPath, pathKey, rootKey, searchJson, splitMatches, visibleRows, type JsonRow } from './json-tree.js';

const nodes = (rows: JsonRow[]) => rows.filter((row) => row.kind === 'node').map((row) => formatPath(row.path));
const closed = { toggled: new Set<string>(), shown: new Map<string, number>() };

describe('the JSON viewer model', () => {
  const value = { name: 'catalogue', apps: [{ id: 1, title: 'Portal' }, { id: 2, title: 'Half-Life' }], meta: { pages: { total: 3 } } };

  it('opens the root and small containers near it, never what is collapsed below', () => {
    expect(nodes(visibleRows(value, closed))).toEqual(['$', '$.name', '$.apps', '$.apps[0]', '$.apps[0].id', '$.apps[0].title', '$.apps[1]', '$.apps[1].id', '$.apps[1].title', '$.meta', '$.meta.pages', '$.meta.pages.total']);
    // A toggle closes what was open ($.apps: its subtree goes off screen) and opens what was closed.
    const toggled = new Set([pathKey(rootKey, 'apps'), pathKey(pathKey(rootKey, 'meta'), 'pages')]);
    expect(nodes(visibleRows(value, { ...closed, toggled }))).toEqual(['$', '$.name', '$.apps', '$.meta', '$.meta.pages']);
    const items = Array.from({ length: 11 }, (_, id) => ({ id }));
    expect(nodes(visibleRows(items, { ...closed, toggled: new Set([pathKey(rootKey, 3)]) }))).toEqual(['$', ...items.map((_, index) => `$[${index}]`).flatMap((path) => (path === '$[3]' ? [path, '$[3].id'] : [path]))]);
  });

  it('pages a large array 100 children at a time, and visits nothing of a collapsed child', () => {
    let visited = 0;
    const big = Array.from({ length: 1_050 }, (_, index) => ({
      get id() {
        visited++;
        return index;
      },
    }));
    const rows = visibleRows(big, closed);
    expect(rows.filter((row) => row.kind === 'node')).toHaveLength(101);
    expect(rows.at(-1)).toMatchObject({ kind: 'more', parentKey: rootKey, shown: 100, remaining: 950 });
    // Items among 1,050 siblings open closed: no getter read, of the 100 on screen or of the rest.
    expect(visited).toBe(0);
    const more = visibleRows(big, { ...closed, shown: new Map([[rootKey, 1_000]]) });
    expect(more.at(-1)).toMatchObject({ kind: 'more', shown: 1_000, remaining: 50 });
    expect(visibleRows(big, { ...closed, shown: new Map([[rootKey, 1_100]]) }).some((row) => row.kind === 'more')).toBe(false);
  });

  it('searches keys and values, opens the way to each match, and filters to them', () => {
    const deep = { a: { b: { c: { title: 'needle in here' } } }, other: Array.from({ length: 50 }, (_, index) => index), Needle: 1 };
    const search = searchJson(deep, ' NEEDLE ')!;
    expect(search.query).toBe('needle');
    expect([...search.matches].map((key) => key.split('\u0001').slice(1).join('.')).sort()).toEqual(['Needle', 'a.b.c.title']);
    const opened = visibleRows(deep, { ...closed, search });
    // a.b.c is three levels down: opened because a match is inside, with the match flagged.
    expect(opened.find((row) => row.kind === 'node' && formatPath(row.path) === '$.a.b.c.title')).toMatchObject({ match: true });
    expect(nodes(opened)).toContain('$.other');
    expect(nodes(visibleRows(deep, { ...closed, search, filter: true }))).toEqual(['$', '$.a', '$.a.b', '$.a.b.c', '$.a.b.c.title', '$.Needle']);
    expect(searchJson(deep, '   ')).toBeUndefined();
    expect(searchJson(deep, 'absent')!.matches.size).toBe(0);
  });

  it('writes paths as JavaScript reaches them, and splits text around matches', () => {
    expect(formatPath(['apps', 3, 'a key', '$ok'])).toBe('$.apps[3]["a key"].$ok');
    expect(splitMatches('Half-Life half', 'half')).toEqual([
      { text: 'Half', match: true },
      { text: '-Life ', match: false },
      { text: 'half', match: true },
    ]);
  });
});

describe('the JSON tree component', () => {
  it('renders rows as text, highlights matches, and offers the next page', () => {
    const value = { html: '<img src=x onerror=alert(1)>', list: Array.from({ length: 150 }, (_, index) => `item ${index}`) };
    const markup = renderToStaticMarkup(createElement(JsonTree, { value, search: searchJson(value, 'item 14'), filter: false, label: 'Output' }));
    expect(markup).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(markup).not.toContain('<img');
    // "item 14" and "item 140" … "item 149" match; the first page (items 0–99) shows one of them.
    expect(markup.match(/<mark>/g)).toHaveLength(1);
    expect(markup).toContain('<mark>item 14</mark>');
    expect(markup).toContain('Show 50 more');
    expect(markup).toContain('100 of 150 shown');
    expect(markup).toContain('aria-label="Collapse $.list"');
  });
});
