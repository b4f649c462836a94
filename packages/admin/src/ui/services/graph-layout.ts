import { topologicalOrder } from './graph-groups.js';

/**
 * Lays out a workflow left to right (dependencies on the left) in layers, in one pass linear in
 * the edges: 1,000 nodes in a few milliseconds, where dagre (used until issue 20) took 3–4 s for
 * 1,000 and 0.3 s for 200 on this machine — and ran again on every 5-second refresh.
 *
 * - Layer: the longest path of dependencies before a job (a job sits right of all it waits on).
 * - Order within a layer: by the mean position of its neighbours in the layers before (a pass
 *   down), then after (a pass up), repeated twice — the barycentre heuristic that dagre's
 *   ordering also starts from, without its edge-crossing counts.
 * - Position: each layer a centred column; a layer with more than `maxColumnRows` nodes folds
 *   into a grid of columns (a fan-out of 500 jobs would otherwise be a column 30,000 px high that
 *   fits the screen only as a line), and the layers after it move right.
 *
 * Pure: React Flow only draws the positions; the caller caches them per structure, so a refresh
 * that changes only states never lays out again.
 */

export const nodeWidth = 232;
export const jobNodeHeight = 46;
export const groupNodeHeight = 66;
export const maxColumnRows = 20;
const layerGap = 72;
const columnGap = 24;
const rowGap = 12;

export interface LayoutNode {
  id: string;
  height: number;
}

export interface LayoutResult {
  /** Top-left corners (React Flow's positions). */
  positions: Map<string, { x: number; y: number }>;
  width: number;
  height: number;
}

export function layoutGraph(graph: { nodes: readonly LayoutNode[]; edges: readonly { from: string; to: string }[] }): LayoutResult {
  const count = graph.nodes.length;
  const index = new Map(graph.nodes.map((node, position) => [node.id, position]));
  const parents: number[][] = graph.nodes.map(() => []);
  const children: number[][] = graph.nodes.map(() => []);
  for (const edge of graph.edges) {
    const from = index.get(edge.from);
    const to = index.get(edge.to);
    if (from === undefined || to === undefined || from === to) continue;
    parents[to]!.push(from);
    children[from]!.push(to);
  }
  const order = topologicalOrder(parents, children);
  const layerOf = new Array<number>(count).fill(0);
  for (const node of order) for (const parent of parents[node]!) layerOf[node] = Math.max(layerOf[node]!, layerOf[parent]! + 1);
  const layers: number[][] = [];
  for (const node of order) (layers[layerOf[node]!] ??= []).push(node);

  // Barycentre ordering; `rank` is a node's relative position (0–1) in its layer.
  const rank = new Array<number>(count).fill(0);
  const setRanks = (layer: number[]) => layer.forEach((node, position) => (rank[node] = layer.length > 1 ? position / (layer.length - 1) : 0.5));
  layers.forEach(setRanks);
  const sweep = (sequence: number[][], neighbours: number[][]) => {
    for (const layer of sequence) {
      const weight = new Map(layer.map((node) => {
        const around = neighbours[node]!;
        return [node, around.length > 0 ? around.reduce((sum, other) => sum + rank[other]!, 0) / around.length : rank[node]!] as const;
      }));
      layer.sort((left, right) => weight.get(left)! - weight.get(right)! || left - right);
      setRanks(layer);
    }
  };
  for (let round = 0; round < 2; round++) {
    sweep(layers.slice(1), parents);
    sweep(layers.slice(0, -1).reverse(), children);
  }

  const positions = new Map<string, { x: number; y: number }>();
  let x = 0;
  let top = 0;
  let bottom = 0;
  for (const layer of layers) {
    const columns = Math.ceil(layer.length / maxColumnRows);
    const rows = Math.ceil(layer.length / columns);
    // Column by column, each centred on y = 0.
    for (let column = 0; column < columns; column++) {
      const members = layer.slice(column * rows, (column + 1) * rows);
      const height = members.reduce((sum, node) => sum + graph.nodes[node]!.height, 0) + rowGap * (members.length - 1);
      let y = -height / 2;
      top = Math.min(top, y);
      for (const node of members) {
        positions.set(graph.nodes[node]!.id, { x: x + column * (nodeWidth + columnGap), y });
        y += graph.nodes[node]!.height + rowGap;
      }
      bottom = Math.max(bottom, y - rowGap);
    }
    x += columns * (nodeWidth + columnGap) - columnGap + layerGap;
  }
  return { positions, width: Math.max(0, x - layerGap), height: bottom - top };
}

const cache = new Map<string, LayoutResult>();
const cacheSize = 8;
let runs = 0;

/**
 * {@link layoutGraph}, remembered per structure key (the last few: expanding and collapsing a
 * group back is instant too).
 */
export function cachedLayout(structureKey: string, graph: Parameters<typeof layoutGraph>[0]): LayoutResult {
  const hit = cache.get(structureKey);
  if (hit) return hit;
  runs++;
  const result = layoutGraph(graph);
  cache.set(structureKey, result);
  if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
  return result;
}

/** How many layouts were computed since the page loaded (shown on the graph for tests and curious operators). */
export const layoutRuns = () => runs;
