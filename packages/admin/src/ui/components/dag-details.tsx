import type { DisplayNode } from '../services/graph-groups.js';
import { stateCountsText, stateOrder } from '../services/graph-labels.js';
import { Link } from '../router.js';
import { StateBadge } from './common.js';

/** Members of a group listed in its details (failed and running first); the rest by count. */
const listedMembers = 25;

const roleText = { root: 'the job this graph is about', ancestor: 'a dependency (upstream)', descendant: 'a dependent (downstream)', related: 'in the same workflow' } as const;

/** What is selected in the workflow graph: a job with its full key and a link, or a group with its counts. */
export function DagDetails({
  node,
  groupSize,
  onToggleGroup,
}: {
  node: DisplayNode | undefined;
  /** Members of the selected job's group, when it has look-alikes (shown expanded). */
  groupSize?: number;
  onToggleGroup: (groupId: string) => void;
}) {
  if (!node) {
    return (
      <aside className="card dag-details" aria-label="Selection" data-testid="dag-details">
        <p className="muted">Click a job or a group to see it here; double-click opens a job or expands a group.</p>
      </aside>
    );
  }
  if (node.kind === 'job') {
    const { job } = node;
    return (
      <aside className="card dag-details" aria-label="Selection" data-testid="dag-details">
        <h2 className="mono dag-details-type">{job.type}</h2>
        <p className="mono dag-details-key">{job.key}</p>
        <dl className="dag-details-facts">
          <dt>State</dt>
          <dd><StateBadge state={job.state} /></dd>
          <dt>Job</dt>
          <dd className="mono">{job.id}</dd>
          <dt>Here</dt>
          <dd>{roleText[job.role]}</dd>
        </dl>
        <p className="dag-details-actions">
          <Link to={`/jobs/${job.id}`} className="button">Open job</Link>
          {node.groupId ? (
            <button type="button" className="button" onClick={() => onToggleGroup(node.groupId!)}>Collapse its {groupSize ?? ''} look-alikes</button>
          ) : null}
        </p>
      </aside>
    );
  }
  const order = new Map(['failed', 'running', 'cancelled', 'waiting', 'queued', 'succeeded'].map((state, index) => [state, index]));
  const members = [...node.members].sort((left, right) => order.get(left.state)! - order.get(right.state)! || Number(left.id) - Number(right.id));
  return (
    <aside className="card dag-details" aria-label="Selection" data-testid="dag-details">
      <h2 className="mono dag-details-type">{node.type} ×{node.members.length}</h2>
      <p>{stateCountsText(node.counts)}</p>
      <dl className="dag-details-facts">
        {stateOrder.filter((state) => node.counts[state]).map((state) => (
          <div key={state}>
            <dt><StateBadge state={state} /></dt>
            <dd>{node.counts[state]}</dd>
          </div>
        ))}
      </dl>
      <p className="dag-details-actions">
        <button type="button" className="button button-primary" onClick={() => onToggleGroup(node.id)}>Expand group</button>
      </p>
      <ul className="dag-details-members">
        {members.slice(0, listedMembers).map((member) => (
          <li key={member.id}>
            <StateBadge state={member.state} />{' '}
            <Link to={`/jobs/${member.id}`} className="mono" title={member.key}>{member.key}</Link>
          </li>
        ))}
      </ul>
      {members.length > listedMembers ? <p className="muted">and {members.length - listedMembers} more</p> : null}
    </aside>
  );
}
