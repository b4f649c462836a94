import { memo, useCallback, useEffect, useMemo, useRef } from 'react';
import {
  Background,
  Controls,
  Handle,
  MarkerType,
  MiniMap,
  Position,
  ReactFlow,
  type Edge,
  type Node,
  type NodeProps,
  type ReactFlowInstance,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import type { JobStateName } from '../../shared/api-types.js';
import type { DisplayGraph, DisplayNode } from '../services/graph-groups.js';
import { middleEllipsis, stateCountsText, stateOrder } from '../services/graph-labels.js';
import { cachedLayout, groupNodeHeight, jobNodeHeight, layoutRuns, nodeWidth } from '../services/graph-layout.js';

/**
 * The workflow graph: positions from our layered layout (services/graph-layout.ts), computed once
 * per structure and cached, so that a refresh that only changes states recolours the nodes in
 * place; React Flow draws them. Every node carries its width and height (the minimap draws nodes
 * React Flow has not rendered, which `onlyRenderVisibleElements` leaves out). Click selects a node
 * (its details show beside the graph), double-click opens a job or expands a group.
 */

interface JobNodeData extends Record<string, unknown> {
  type: string;
  key: string;
  state: JobStateName;
}

interface GroupNodeData extends Record<string, unknown> {
  type: string;
  size: number;
  counts: Partial<Record<JobStateName, number>>;
}

/** Characters that fit a node's width in the monospace font of its labels. */
const typeChars = 30;
const keyChars = 27;

const JobNodeView = memo(function JobNodeView({ data }: NodeProps<Node<JobNodeData>>) {
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <span className="dag-label" title={`${data.type}:${data.key} — ${data.state}`}>
        <span className="dag-type">{middleEllipsis(data.type, typeChars)}</span>
        <span className="dag-key">{middleEllipsis(data.key, keyChars)}</span>
      </span>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </>
  );
});

const GroupNodeView = memo(function GroupNodeView({ data }: NodeProps<Node<GroupNodeData>>) {
  const counts = stateCountsText(data.counts);
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <span className="dag-label" title={`${data.size} ${data.type} jobs: ${counts} — double-click to expand`}>
        <span className="dag-type">
          {middleEllipsis(data.type, typeChars - 6)} <strong className="dag-group-size">×{data.size}</strong>
        </span>
        <span className="dag-group-counts">{counts}</span>
        <span className="dag-bar" aria-hidden="true">
          {stateOrder.filter((state) => data.counts[state]).map((state) => (
            <span key={state} className={`dag-bar-${state}`} style={{ flexGrow: data.counts[state] }} />
          ))}
        </span>
      </span>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </>
  );
});

const nodeTypes = { job: JobNodeView, group: GroupNodeView };

const fitViewOptions = { maxZoom: 1, padding: 0.08 };

const arrow = { type: MarkerType.ArrowClosed, width: 18, height: 18, color: '#8a94a6' } as const;

export interface DagViewProps {
  display: DisplayGraph;
  /** The job the page is about. */
  rootId: string;
  /** Jobs in the whole graph (before grouping). */
  jobCount: number;
  selectedId: string | undefined;
  onSelect: (node: DisplayNode | undefined) => void;
  /** Double-click: open a job, expand a group. */
  onActivate: (node: DisplayNode) => void;
}

export function DagView({ display, rootId, jobCount, selectedId, onSelect, onActivate }: DagViewProps) {
  const instance = useRef<ReactFlowInstance | undefined>(undefined);
  // Laid out only when the nodes and edges shown change (cachedLayout's key), never for states.
  const layout = useMemo(
    () => cachedLayout(display.structureKey, {
      nodes: display.nodes.map((node) => ({ id: node.id, height: node.kind === 'group' ? groupNodeHeight : jobNodeHeight })),
      edges: display.edges,
    }),
    [display],
  );
  const byId = useMemo(() => new Map(display.nodes.map((node) => [node.id, node])), [display]);
  const nodes = useMemo<Node[]>(
    () =>
      display.nodes.map((node) => {
        const position = layout.positions.get(node.id) ?? { x: 0, y: 0 };
        const selected = node.id === selectedId ? ' dag-selected' : '';
        if (node.kind === 'group') {
          return {
            id: node.id,
            type: 'group',
            position,
            width: nodeWidth,
            height: groupNodeHeight,
            data: { type: node.type, size: node.members.length, counts: node.counts } satisfies GroupNodeData,
            className: `dag-node dag-group dag-${node.state}${selected}`,
            draggable: false,
            connectable: false,
            ariaLabel: `${node.members.length} ${node.type} jobs: ${stateCountsText(node.counts)}`,
          };
        }
        const { job } = node;
        return {
          id: node.id,
          type: 'job',
          position,
          width: nodeWidth,
          height: jobNodeHeight,
          data: { type: job.type, key: job.key, state: job.state } satisfies JobNodeData,
          className: `dag-node dag-job dag-${job.state}${job.id === rootId ? ' dag-root' : ''}${selected}`,
          draggable: false,
          connectable: false,
          ariaLabel: `${job.type} ${job.key}, ${job.state}`,
        };
      }),
    [display, layout, rootId, selectedId],
  );
  const edges = useMemo<Edge[]>(
    () =>
      display.edges.map((edge) => ({
        id: edge.id,
        source: edge.from,
        target: edge.to,
        className: `dag-edge dag-edge-${edge.state}`,
        markerEnd: arrow,
        label: edge.count > 1 ? `×${edge.count}` : undefined,
        focusable: false,
      })),
    [display],
  );

  // Handlers that stay the same function across renders: a new one would make React Flow render
  // every node's wrapper again (1,000 of them) on each refresh, even when nothing changed.
  const latest = useRef({ byId, onSelect, onActivate });
  useEffect(() => {
    latest.current = { byId, onSelect, onActivate };
  });
  const handleClick = useCallback((_: unknown, node: Node) => latest.current.onSelect(latest.current.byId.get(node.id)), []);
  const handleDoubleClick = useCallback((_: unknown, node: Node) => {
    const target = latest.current.byId.get(node.id);
    if (target) latest.current.onActivate(target);
  }, []);
  const handlePaneClick = useCallback(() => latest.current.onSelect(undefined), []);
  const handleInit = useCallback((flow: ReactFlowInstance) => {
    instance.current = flow;
  }, []);
  const minimapClass = useCallback((node: Node) => String(node.className ?? ''), []);

  // A new structure (a group expanded or collapsed, jobs added) is fitted to the screen again.
  const fittedKey = useRef(display.structureKey);
  useEffect(() => {
    if (fittedKey.current === display.structureKey) return;
    fittedKey.current = display.structureKey;
    const frame = requestAnimationFrame(() => void instance.current?.fitView(fitViewOptions));
    return () => cancelAnimationFrame(frame);
  }, [display.structureKey]);

  return (
    <div className={`dag${nodes.length > 100 ? ' dag-large' : ''}`} data-testid="dag" data-layouts={layoutRuns()} data-nodes={nodes.length}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={fitViewOptions}
        minZoom={0.05}
        nodesConnectable={false}
        nodesDraggable={false}
        elementsSelectable={false}
        onlyRenderVisibleElements={nodes.length > 150}
        onInit={handleInit}
        onNodeClick={handleClick}
        onNodeDoubleClick={handleDoubleClick}
        onPaneClick={handlePaneClick}
        zoomOnDoubleClick={false}
      >
        <Background gap={24} size={1} />
        <Controls showInteractive={false} />
        {jobCount > 30 ? <MiniMap pannable zoomable nodeClassName={minimapClass} /> : null}
      </ReactFlow>
    </div>
  );
}
