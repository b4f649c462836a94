import { describe, expect, it } from 'vitest';
import { layoutGraph } from './graph-layout.js';

describe('layoutGraph', () => {
  it('puts dependencies left of their dependents', () => {
    const node = (id: string, role: 'root' | 'ancestor' | 'descendant') => ({ id, typeId: 1, type: 't', key: id, state: 'succeeded' as const, role });
    const { nodes } = layoutGraph({
      nodes: [node('1', 'ancestor'), node('2', 'ancestor'), node('3', 'root')],
      edges: [
        { from: '1', to: '3' },
        { from: '2', to: '3' },
      ],
    });
    const x = Object.fromEntries(nodes.map((entry) => [entry.id, entry.x]));
    expect(x['1']).toBeLessThan(x['3']!);
    expect(x['2']).toBeLessThan(x['3']!);
  });

  it('lays out 500 nodes quickly', () => {
    const nodes = Array.from({ length: 500 }, (_, index) => ({ id: String(index + 1), typeId: 1, type: 't', key: `k${index}`, state: 'queued' as const, role: 'descendant' as const }));
    const edges = nodes.slice(1, 498).map((entry) => ({ from: '1', to: entry.id }));
    edges.push(...nodes.slice(1, 498).flatMap((entry) => [{ from: entry.id, to: '499' }, { from: entry.id, to: '500' }]));
    const started = performance.now();
    const result = layoutGraph({ nodes, edges });
    expect(result.nodes).toHaveLength(500);
    // The fan-out is folded into a grid: the graph stays closer to the screen's shape than a column.
    expect(result.height).toBeLessThan(20 * 64 + 100);
    expect(result.width / result.height).toBeLessThan(6);
    expect(new Set(result.nodes.map((entry) => `${entry.x}:${entry.y}`)).size).toBe(500);
    // Generous: this is a smoke check that layout is not quadratic-slow, not a benchmark.
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
