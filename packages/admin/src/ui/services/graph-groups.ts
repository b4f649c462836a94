import type { GraphResponse, JobStateName } from '../../shared/api-types.js';

/**
 * Collapses a workflow's look-alike jobs into group nodes, so that a workflow of 1,000 jobs reads
 * at a glance ("shop.ProcessCatalogPage ×498 · 490 ✓ 8 ✗") and lays out in milliseconds.
 *
 * Jobs are alike when they are of one type and their dependencies and dependents are alike in
 * turn: the coarsest partition of the jobs by type such that alike jobs wait on the same groups
 * and are waited on by the same groups. A fan-out (a fetch job and its 380 page jobs) gives one
 * group of pages; 380 parallel chains (fetch app → process app) give one group per step; a chain
 * of one type stays a chain (its first job has no dependency of the group, the second has). It is
 * computed by refining "same type" with passes down the graph (in dependency order: the groups of
 * a job's dependencies) and up it (the groups of its dependents) until nothing splits — a few
 * passes for real workflows, each linear in the edges; capped, as a partition that is not fully
 * refined still holds jobs of one type.
 *
 * The job asked about is never grouped. Groups are collapsed when they have more than
 * `collapseAbove` jobs, and then the largest ones while more than `maxVisible` nodes would show;
 * the person viewing overrides either way (`expanded`, `collapsed`). State is not part of the
 * partition, so a refresh that only changes states keeps the structure, and its layout.
 */

export type GraphJob = GraphResponse['nodes'][number];

export interface DisplayJobNode {
  kind: 'job';
  id: string;
  job: GraphJob;
  /** The group this job belongs to when it has look-alikes (shown expanded). */
  groupId?: string;
}

export interface DisplayGroupNode {
  kind: 'group';
  /** `group:` and the smallest member id: stable while the group's members are. */
  id: string;
  type: string;
  typeId: number;
  members: GraphJob[];
  counts: Partial<Record<JobStateName, number>>;
  /** The state the group is coloured by: the one that most needs attention among its members. */
  state: JobStateName;
}

export type DisplayNode = DisplayJobNode | DisplayGroupNode;

export interface DisplayEdge {
  id: string;
  from: string;
  to: string;
  /** Dependencies behind this edge (several between groups). */
  count: number;
  /** State of the dependency side ('from'): edges out of failed or cancelled jobs are drawn dashed. */
  state: JobStateName;
}

export interface DisplayGraph {
  nodes: DisplayNode[];
  edges: DisplayEdge[];
  /** Every group of two or more look-alike jobs, collapsed or not: id → member ids. */
  groups: Map<string, string[]>;
  /** Identifies the nodes and edges shown, states left out: the layout's cache key. */
  structureKey: string;
}

export interface GroupOptions {
  /** Group ids the person expanded. */
  expanded?: ReadonlySet<string>;
  /** Group ids the person collapsed (below the automatic threshold). */
  collapsed?: ReadonlySet<string>;
  /** Groups with more jobs than this start collapsed (default 20). */
  collapseAbove?: number;
  /** Then the largest groups are collapsed while more nodes than this would show (default 300). */
  maxVisible?: number;
}

const maxPasses = 8;

/** Attention order: a group is coloured by the first of these states any member is in. */
const attention: readonly JobStateName[] = ['failed', 'running', 'queued', 'waiting', 'cancelled', 'succeeded'];

export const groupIdPrefix = 'group:';

export function groupGraph(graph: Pick<GraphResponse, 'nodes' | 'edges' | 'rootId'>, options: GroupOptions = {}): DisplayGraph {
  const collapseAbove = options.collapseAbove ?? 20;
  const maxVisible = options.maxVisible ?? 300;
  const classes = partition(graph);
  const membersByClass = new Map<number, GraphJob[]>();
  graph.nodes.forEach((node, index) => {
    const list = membersByClass.get(classes[index]!);
    if (list) list.push(node);
    else membersByClass.set(classes[index]!, [node]);
  });
  const groups = new Map<string, string[]>();
  const groupOfClass = new Map<number, string>();
  for (const [klass, members] of membersByClass) {
    if (members.length < 2) continue;
    const id = groupIdPrefix + members.reduce((least, member) => (Number(member.id) < Number(least) ? member.id : least), members[0]!.id);
    groups.set(id, members.map((member) => member.id));
    groupOfClass.set(klass, id);
  }

  // Which groups show as one node.
  const collapsed = new Set<string>();
  for (const [id, members] of groups) {
    if (options.collapsed?.has(id) || (members.length > collapseAbove && !options.expanded?.has(id))) collapsed.add(id);
  }
  let visible = graph.nodes.length - [...collapsed].reduce((sum, id) => sum + groups.get(id)!.length - 1, 0);
  const candidates = [...groups].filter(([id]) => !collapsed.has(id) && !options.expanded?.has(id)).sort((left, right) => right[1].length - left[1].length);
  for (const [id, members] of candidates) {
    if (visible <= maxVisible) break;
    collapsed.add(id);
    visible -= members.length - 1;
  }

  const displayOf = new Map<string, string>();
  const nodes: DisplayNode[] = [];
  const groupNodes = new Map<string, DisplayGroupNode>();
  graph.nodes.forEach((job, index) => {
    const groupId = groupOfClass.get(classes[index]!);
    if (groupId && collapsed.has(groupId)) {
      displayOf.set(job.id, groupId);
      let group = groupNodes.get(groupId);
      if (!group) {
        group = { kind: 'group', id: groupId, type: job.type, typeId: job.typeId, members: [], counts: {}, state: job.state };
        groupNodes.set(groupId, group);
        nodes.push(group);
      }
      group.members.push(job);
      group.counts[job.state] = (group.counts[job.state] ?? 0) + 1;
    } else {
      displayOf.set(job.id, job.id);
      nodes.push(groupId ? { kind: 'job', id: job.id, job, groupId } : { kind: 'job', id: job.id, job });
    }
  });
  for (const group of groupNodes.values()) group.state = attention.find((state) => group.counts[state]) ?? group.state;

  const stateOf = new Map(graph.nodes.map((node) => [node.id, node.state]));
  const edgeMap = new Map<string, DisplayEdge>();
  for (const edge of graph.edges) {
    const from = displayOf.get(edge.from);
    const to = displayOf.get(edge.to);
    if (!from || !to || from === to) continue;
    const id = `${from}>${to}`;
    const existing = edgeMap.get(id);
    const state = stateOf.get(edge.from)!;
    if (existing) {
      existing.count++;
      if (attention.indexOf(state) < attention.indexOf(existing.state)) existing.state = state;
    } else {
      edgeMap.set(id, { id, from, to, count: 1, state });
    }
  }
  const edges = [...edgeMap.values()];
  const structureKey = `${nodes.map((node) => (node.kind === 'group' ? `${node.id}#${node.members.length}` : node.id)).join(',')}|${edges.map((edge) => edge.id).join(',')}`;
  return { nodes, edges, groups, structureKey };
}

/** The class of each job (by index in `graph.nodes`), refined as the header says. */
function partition(graph: Pick<GraphResponse, 'nodes' | 'edges' | 'rootId'>): number[] {
  const index = new Map(graph.nodes.map((node, position) => [node.id, position]));
  const parents: number[][] = graph.nodes.map(() => []);
  const children: number[][] = graph.nodes.map(() => []);
  for (const edge of graph.edges) {
    const from = index.get(edge.from);
    const to = index.get(edge.to);
    if (from === undefined || to === undefined) continue;
    parents[to]!.push(from);
    children[from]!.push(to);
  }
  const order = topologicalOrder(parents, children);
  // First classes: the type; the job asked about alone.
  let classes = graph.nodes.map((node) => (node.id === graph.rootId ? -1 : node.typeId));
  let count = new Set(classes).size;
  for (let pass = 0; pass < maxPasses; pass++) {
    classes = refine(classes, order, parents);
    classes = refine(classes, [...order].reverse(), children);
    const next = new Set(classes).size;
    if (next === count) break;
    count = next;
  }
  return classes;
}

/** One pass: a job's new class is its class and the set of its neighbours' new classes. */
function refine(classes: number[], order: number[], neighbours: number[][]): number[] {
  const next = new Array<number>(classes.length);
  const ids = new Map<string, number>();
  for (const job of order) {
    const around = [...new Set(neighbours[job]!.map((other) => next[other]!))].sort((left, right) => left - right);
    const key = `${classes[job]}|${around.join(',')}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    next[job] = id;
  }
  return next;
}

/** Dependencies first (Kahn); jobs on a cycle, which a DAG has none of, come last. */
export function topologicalOrder(parents: number[][], children: number[][]): number[] {
  const waiting = parents.map((list) => list.length);
  const order: number[] = [];
  for (let job = 0; job < waiting.length; job++) if (waiting[job] === 0) order.push(job);
  for (let cursor = 0; cursor < order.length; cursor++) {
    for (const child of children[order[cursor]!]!) if (--waiting[child]! === 0) order.push(child);
  }
  if (order.length < parents.length) {
    const seen = new Set(order);
    for (let job = 0; job < parents.length; job++) if (!seen.has(job)) order.push(job);
  }
  return order;
}
