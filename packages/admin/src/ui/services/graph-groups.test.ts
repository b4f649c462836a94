import { describe, expect, it } from 'vitest';
import type { GraphResponse, JobStateName } from '../../shared/api-types.js';
import { groupGraph, type DisplayGroupNode } from './graph-groups.js';
import { middleEllipsis, stateCountsText } from './graph-labels.js';

type Job = GraphResponse['nodes'][number];
const typeIds = new Map<string, number>();
const typeId = (type: string) => typeIds.get(type) ?? typeIds.set(type, typeIds.size + 1).get(type)!;
const job = (id: number, type: string, state: JobStateName = 'succeeded'): Job => ({ id: String(id), typeId: typeId(type), type, key: `${type}-${id}`, state, role: 'related' });

/** A root fetch job, `pages` fetch-app jobs each followed by its own process job, and one stats job after all. */
function steamLike(pages: number, failed: readonly number[] = []): Pick<GraphResponse, 'nodes' | 'edges' | 'rootId'> {
  const nodes: Job[] = [job(1, 'steam.FetchAppList')];
  const edges: GraphResponse['edges'] = [];
  for (let page = 0; page < pages; page++) {
    const fetch = 2 + page;
    const process = 2 + pages + page;
    nodes.push(job(fetch, 'steam.FetchApp', failed.includes(page) ? 'failed' : 'succeeded'), job(process, 'steam.ProcessApp', failed.includes(page) ? 'cancelled' : 'queued'));
    edges.push({ from: '1', to: String(fetch) }, { from: String(fetch), to: String(process) }, { from: String(process), to: String(2 + 2 * pages) });
  }
  nodes.push(job(2 + 2 * pages, 'steam.Stats', 'waiting'));
  return { nodes, edges, rootId: '1' };
}

describe('groupGraph', () => {
  it('collapses look-alike siblings into groups with state counts: parallel chains give one group per step', () => {
    const display = groupGraph(steamLike(380, [4, 9]));
    expect(display.nodes.map((node) => (node.kind === 'group' ? `${node.type}×${node.members.length}` : node.job.type))).toEqual([
      'steam.FetchAppList',
      'steam.FetchApp×380',
      'steam.ProcessApp×380',
      'steam.Stats',
    ]);
    const fetches = display.nodes[1] as DisplayGroupNode;
    expect(fetches.id).toBe('group:2');
    expect(fetches.counts).toEqual({ succeeded: 378, failed: 2 });
    expect(fetches.state).toBe('failed');
    expect(stateCountsText(fetches.counts)).toBe('378 ✓ 2 ✗');
    expect(display.edges.map((edge) => `${edge.from}>${edge.to}×${edge.count}`)).toEqual(['1>group:2×380', 'group:2>group:382×380', 'group:382>762×380']);
    expect(display.groups.get('group:2')).toHaveLength(380);
  });

  it('keeps a state-only change out of the structure, and the job asked about out of any group', () => {
    const graph = steamLike(30);
    const before = groupGraph(graph);
    const after = groupGraph({ ...graph, nodes: graph.nodes.map((node) => ({ ...node, state: 'running' as const })) });
    expect(after.structureKey).toBe(before.structureKey);
    const focused = groupGraph({ ...graph, rootId: '5' });
    expect(focused.nodes.find((node) => node.id === '5')).toMatchObject({ kind: 'job' });
    expect(focused.nodes.find((node) => node.kind === 'group' && node.type === 'steam.FetchApp')).toMatchObject({ members: { length: 29 } });
  });

  it('shows groups of 20 or fewer expanded, and follows what the person expands or collapses', () => {
    const small = groupGraph(steamLike(12));
    expect(small.nodes).toHaveLength(26);
    expect(small.nodes.filter((node) => node.kind === 'job' && node.groupId === 'group:2')).toHaveLength(12);
    const collapsed = groupGraph(steamLike(12), { collapsed: new Set(['group:2']) });
    expect(collapsed.nodes).toHaveLength(15);
    const expanded = groupGraph(steamLike(380), { expanded: new Set(['group:2']) });
    expect(expanded.nodes).toHaveLength(1 + 380 + 1 + 1);
    expect(expanded.edges).toHaveLength(380 + 380 + 1);
    expect(expanded.structureKey).not.toBe(groupGraph(steamLike(380)).structureKey);
  });

  it('collapses smaller groups too while more than 300 nodes would show', () => {
    // 40 fan-outs of 15 jobs each (600 jobs): each group is under the threshold.
    const nodes: Job[] = [];
    const edges: GraphResponse['edges'] = [];
    for (let fan = 0; fan < 40; fan++) {
      const head = fan * 16 + 1;
      nodes.push(job(head, `t.Head${fan}`));
      for (let leaf = 1; leaf <= 15; leaf++) {
        nodes.push(job(head + leaf, 't.Leaf'));
        edges.push({ from: String(head), to: String(head + leaf) });
      }
    }
    const display = groupGraph({ nodes, edges, rootId: '1' });
    expect(display.nodes.length).toBeLessThanOrEqual(300);
    expect(display.nodes.length).toBeGreaterThan(40);
  });

  it('keeps a chain of one type a chain', () => {
    const nodes = Array.from({ length: 50 }, (_, index) => job(index + 1, 'demo.Combine'));
    const edges = nodes.slice(1).map((node, index) => ({ from: String(index + 1), to: node.id }));
    const display = groupGraph({ nodes, edges, rootId: '25' });
    expect(display.nodes.every((node) => node.kind === 'job' && node.groupId === undefined)).toBe(true);
    expect(display.edges).toHaveLength(49);
  });
});

describe('middleEllipsis', () => {
  it('keeps both ends of a long key', () => {
    expect(middleEllipsis('catalog-2026-12-02-page-417', 16)).toBe('catalog…page-417');
    expect(middleEllipsis('short', 16)).toBe('short');
    expect(middleEllipsis('catalog-2026-12-02-page-417', 16)).toHaveLength(16);
  });
});
