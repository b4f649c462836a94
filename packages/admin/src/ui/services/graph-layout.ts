import { Graph, layout } from '@dagrejs/dagre';
import type { GraphResponse } from '../../shared/api-types.js';

/**
 * Lays out a workflow with dagre, left to right (dependencies on the left). Pure: React Flow only
 * draws the positions. 500 nodes lay out in well under a second.
 *
 * Fan-outs make dagre's layout one very tall column (a fetch job with 500 page jobs is a column
 * 30,000 px high, which fits on screen only as a line). A rank with more than `maxColumnRows` jobs
 * is folded into a grid of several columns, and every rank is then centred vertically, so that a
 * wide workflow fits the screen with its states still visible as colours.
 */

export const nodeWidth = 200;
export const nodeHeight = 52;
export const maxColumnRows = 20;
const gapX = 24;
const gapY = 12;

export interface PositionedNode {
  id: string;
  x: number;
  y: number;
  node: GraphResponse['nodes'][number];
}

export function layoutGraph(graph: Pick<GraphResponse, 'nodes' | 'edges'>): { nodes: PositionedNode[]; width: number; height: number } {
  const g = new Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 70, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) g.setNode(node.id, { width: nodeWidth, height: nodeHeight });
  for (const edge of graph.edges) if (g.hasNode(edge.from) && g.hasNode(edge.to)) g.setEdge(edge.from, edge.to);
  layout(g);
  let nodes: PositionedNode[] = graph.nodes.map((node) => {
    const position = g.node(node.id) as { x: number; y: number };
    // dagre gives centres; React Flow wants top-left corners.
    return { id: node.id, x: position.x - nodeWidth / 2, y: position.y - nodeHeight / 2, node };
  });
  const ranks = new Map<number, PositionedNode[]>();
  for (const node of nodes) {
    const rank = Math.round(node.x);
    ranks.set(rank, [...(ranks.get(rank) ?? []), node]);
  }
  if ([...ranks.values()].some((rank) => rank.length > maxColumnRows)) nodes = foldTallRanks(ranks);
  const xs = nodes.map((node) => node.x);
  const ys = nodes.map((node) => node.y);
  const label = g.graph();
  return {
    nodes,
    width: nodes.length > 0 ? Math.max(...xs) - Math.min(...xs) + nodeWidth : (label.width ?? 0),
    height: nodes.length > 0 ? Math.max(...ys) - Math.min(...ys) + nodeHeight : (label.height ?? 0),
  };
}

function foldTallRanks(ranks: Map<number, PositionedNode[]>): PositionedNode[] {
  const folded: PositionedNode[] = [];
  let shift = 0;
  for (const [rankX, members] of [...ranks.entries()].sort((a, b) => a[0] - b[0])) {
    const ordered = [...members].sort((a, b) => a.y - b.y);
    const columns = Math.ceil(ordered.length / maxColumnRows);
    const rows = Math.ceil(ordered.length / columns);
    const blockHeight = rows * (nodeHeight + gapY) - gapY;
    ordered.forEach((node, index) => {
      const column = Math.floor(index / rows);
      const row = index % rows;
      folded.push({ ...node, x: rankX + shift + column * (nodeWidth + gapX), y: row * (nodeHeight + gapY) - blockHeight / 2 });
    });
    shift += (columns - 1) * (nodeWidth + gapX);
  }
  return folded;
}
