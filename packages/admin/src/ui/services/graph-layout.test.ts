import { describe, expect, it } from 'vitest';
import { cachedLayout, layoutGraph, layoutRuns, maxColumnRows, nodeWidth } from './graph-layout.js';

const nodes = (count: number) => Array.from({ length: count }, (_, index) => ({ id: String(index + 1), height: 46 }));

describe('layoutGraph', () => {
  it('puts dependencies left of their dependents, a job right of all it waits on', () => {
    const { positions } = layoutGraph({
      nodes: nodes(4),
      edges: [
        { from: '1', to: '3' },
        { from: '2', to: '3' },
        { from: '1', to: '4' },
        { from: '3', to: '4' },
      ],
    });
    const x = (id: string) => positions.get(id)!.x;
    expect(x('1')).toBe(x('2'));
    expect(x('1')).toBeLessThan(x('3'));
    expect(x('3')).toBeLessThan(x('4'));
  });

  it('folds a fan-out of 500 into a grid, without overlaps, in well under the time dagre took', () => {
    const graph = { nodes: nodes(1000), edges: [] as { from: string; to: string }[] };
    // 1 → 2..451 → each its own job 452..901 → 902; a chain 902 → … → 1000.
    for (let index = 2; index <= 451; index++) graph.edges.push({ from: '1', to: String(index) }, { from: String(index), to: String(index + 450) }, { from: String(index + 450), to: '902' });
    for (let index = 903; index <= 1000; index++) graph.edges.push({ from: String(index - 1), to: String(index) });
    const started = performance.now();
    const result = layoutGraph(graph);
    const elapsed = performance.now() - started;
    expect(result.positions.size).toBe(1000);
    expect(new Set([...result.positions.values()].map((position) => `${position.x}:${position.y}`)).size).toBe(1000);
    // Fan-outs fold into grids of at most 20 rows, the long tail wraps: it fits a screen's shape.
    const tallestColumn = Math.max(...[...new Set([...result.positions.values()].map((position) => position.x))].map((x) => [...result.positions.values()].filter((position) => position.x === x).length));
    expect(tallestColumn).toBeLessThanOrEqual(maxColumnRows * 2);
    expect(result.width / result.height).toBeLessThan(4);
    // Each fetch job faces its own process job (the ordering sweeps keep chains straight).
    const reading = (from: number) => Array.from({ length: 450 }, (_, offset) => from + offset)
      .sort((left, right) => {
        const a = result.positions.get(String(left))!;
        const b = result.positions.get(String(right))!;
        return a.x - b.x || a.y - b.y;
      })
      .map((id) => id - from);
    expect(reading(452)).toEqual(reading(2));
    const last = result.positions.get('1000')!;
    const stats = result.positions.get('902')!;
    expect(last.y > stats.y || last.x > stats.x + nodeWidth * 90).toBe(true);
    // A smoke check that the layout is linear (dagre: 3–4 s here), not a benchmark.
    expect(elapsed).toBeLessThan(1_000);
  });

  it('wraps a long chain into bands that fit a screen', () => {
    const graph = { nodes: nodes(1000), edges: nodes(1000).slice(1).map((node, index) => ({ from: String(index + 1), to: node.id })) };
    const { positions, width, height } = layoutGraph(graph);
    expect(width / height).toBeGreaterThan(0.5);
    expect(width / height).toBeLessThan(4);
    // Left to right within a band, the next band below.
    expect(positions.get('2')!.x).toBeGreaterThan(positions.get('1')!.x);
    expect(positions.get('1000')!.y).toBeGreaterThan(positions.get('1')!.y);
    expect(new Set([...positions.values()].map((position) => `${position.x}:${position.y}`)).size).toBe(1000);
  });

  it('lays out once per structure', () => {
    const before = layoutRuns();
    const graph = { nodes: nodes(3), edges: [{ from: '1', to: '2' }, { from: '2', to: '3' }] };
    const first = cachedLayout('1,2,3|1>2,2>3', graph);
    expect(cachedLayout('1,2,3|1>2,2>3', graph)).toBe(first);
    expect(layoutRuns()).toBe(before + 1);
    cachedLayout('1,2|1>2', { nodes: nodes(2), edges: [{ from: '1', to: '2' }] });
    expect(layoutRuns()).toBe(before + 2);
  });
});
