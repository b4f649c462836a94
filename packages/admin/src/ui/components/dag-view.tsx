import { useMemo } from 'react';
import { Background, Controls, MiniMap, ReactFlow, type Edge, type Node } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import type { GraphResponse } from '../../shared/api-types.js';
import { layoutGraph } from '../services/graph-layout.js';
import { navigate } from '../router.js';

/** The workflow graph: dagre positions, React Flow drawing; click a job to open it. */
export function DagView({ graph }: { graph: GraphResponse }) {
  const { nodes, edges } = useMemo(() => {
    const positioned = layoutGraph(graph);
    const states = new Map(graph.nodes.map((node) => [node.id, node.state]));
    const flowNodes: Node[] = positioned.nodes.map(({ id, x, y, node }) => ({
      id,
      position: { x, y },
      data: {
        label: (
          <span className="dag-label" title={`${node.type}:${node.key} — ${node.state}`}>
            <span className="dag-type">{node.type}</span>
            <span className="dag-key">{node.key}</span>
          </span>
        ),
      },
      className: `dag-node dag-${node.state}${node.role === 'root' ? ' dag-root' : ''}`,
      sourcePosition: 'right' as never,
      targetPosition: 'left' as never,
      draggable: false,
      connectable: false,
      ariaLabel: `${node.type} ${node.key}, ${node.state}`,
    }));
    const flowEdges: Edge[] = graph.edges.map((edge) => ({
      id: `${edge.from}-${edge.to}`,
      source: edge.from,
      target: edge.to,
      className: `dag-edge dag-edge-${states.get(edge.from) ?? 'queued'}`,
      focusable: false,
    }));
    return { nodes: flowNodes, edges: flowEdges };
  }, [graph]);
  return (
    <div className={`dag${nodes.length > 100 ? ' dag-large' : ''}`} data-testid="dag">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        fitView
        fitViewOptions={{ maxZoom: 1, padding: 0.08 }}
        minZoom={0.05}
        nodesConnectable={false}
        nodesDraggable={false}
        onlyRenderVisibleElements={nodes.length > 150}
        onNodeClick={(_, node) => navigate(`/jobs/${node.id}`)}
      >
        <Background gap={24} size={1} />
        <Controls showInteractive={false} />
        {nodes.length > 30 ? <MiniMap pannable zoomable nodeClassName={(node) => String(node.className ?? '')} /> : null}
      </ReactFlow>
    </div>
  );
}
