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
 *   fits the screen only as a line), and the layers after it move right. A graph far wider than
 *   high wraps its layers into bands, top to bottom.
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
const bandGap = 56;

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

  // Each layer a block: its columns side by side, each column centred on the block's middle.
  const blocks = layers.map((layer) => {
    const columns = Math.ceil(layer.length / maxColumnRows);
    const rows = Math.ceil(layer.length / columns);
    const stacks = Array.from({ length: columns }, (_, column) => layer.slice(column * rows, (column + 1) * rows));
    const heights = stacks.map((stack) => stack.reduce((sum, node) => sum + graph.nodes[node]!.height, 0) + rowGap * (stack.length - 1));
    return { stacks, heights, width: columns * (nodeWidth + columnGap) - columnGap, height: Math.max(0, ...heights) };
  });
  // A long, thin graph (a chain of 1,000 jobs is 300,000 px wide and one node high) wraps into
  // bands, like lines of text, so that it fits a screen at a zoom where nodes still show.
  const totalWidth = blocks.reduce((sum, block) => sum + block.width + layerGap, -layerGap);
  const tallest = Math.max(jobNodeHeight, ...blocks.map((block) => block.height));
  const bandWidth = totalWidth > 4 * Math.max(tallest, 900) ? Math.max(...blocks.map((block) => block.width), Math.sqrt(totalWidth * tallest * 1.6), 2_400) : Infinity;
  const positions = new Map<string, { x: number; y: number }>();
  let x = 0;
  let bandTop = 0;
  let bandHeight = 0;
  let band: typeof blocks = [];
  let width = 0;
  const placeBand = () => {
    let left = 0;
    for (const block of band) {
      block.stacks.forEach((stack, column) => {
        let y = bandTop + (bandHeight - block.heights[column]!) / 2;
        for (const node of stack) {
          positions.set(graph.nodes[node]!.id, { x: left + column * (nodeWidth + columnGap), y });
          y += graph.nodes[node]!.height + rowGap;
        }
      });
      left += block.width + layerGap;
    }
    width = Math.max(width, left - layerGap);
    bandTop += bandHeight + bandGap;
  };
  for (const block of blocks) {
    if (band.length > 0 && x + block.width > bandWidth) {
      placeBand();
      band = [];
      x = 0;
      bandHeight = 0;
    }
    band.push(block);
    bandHeight = Math.max(bandHeight, block.height);
    x += block.width + layerGap;
  }
  if (band.length > 0) placeBand();
  return { positions, width, height: Math.max(0, bandTop - bandGap) };
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
