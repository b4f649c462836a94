import { useState } from 'react';
import { jobStateNames } from '../../shared/api-types.js';
import { ErrorBox, Loading, Notice, PageHeader, StateBadge, Time } from '../components/common.js';
import { Link } from '../router.js';
import { formatCount } from '../services/format.js';
import { listWorkflows } from '../services/workflows.js';
import { useApi } from '../use-api.js';

const pageSize = 25;

/** Workflow runs (the roots of dependency graphs), newest first, with their jobs per state; each opens its graph. */
export function WorkflowsPage() {
  // The cursors of the pages seen, to go back: keyset pagination has no page numbers.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors.at(-1)!;
  const page = useApi((signal) => listWorkflows(cursor, pageSize, signal), [cursor], { refreshMs: cursors.length === 1 ? 10_000 : undefined });
  return (
    <>
      <PageHeader title="Workflows" subtitle="Workflow runs, newest first: each root job with the states of its jobs. Open one to see its graph." />
      {page.error ? <ErrorBox error={page.error} /> : null}
      {!page.data ? (
        <Loading what="workflows" />
      ) : page.data.workflows.length === 0 && cursors.length === 1 && !page.data.nextCursor ? (
        <Notice>No workflows yet: a job submitted with dependsOn makes one.</Notice>
      ) : (
        <section className="card table-card" aria-label="Workflow runs">
          <div className="table-wrap">
            <table className="table" data-testid="workflows-table">
              <thead>
                <tr>
                  <th scope="col">Root</th>
                  <th scope="col">Started</th>
                  <th scope="col" className="num">Jobs</th>
                  <th scope="col">States</th>
                </tr>
              </thead>
              <tbody>
                {page.data.workflows.map((run) => (
                  <tr key={run.id}>
                    <td className="truncate" title={`${run.type} ${run.key}`}>
                      <Link to={`/jobs/${run.id}/graph`}>
                        <span className="mono">{run.type}</span> <span className="mono">{run.key}</span>
                      </Link>
                    </td>
                    <td className="nowrap"><Time iso={run.createdAt} /></td>
                    <td className="num">{formatCount(run.total)}{run.truncated ? '+' : ''}</td>
                    <td>
                      <span className="state-counts">
                        {jobStateNames
                          .filter((state) => run.counts[state] > 0)
                          .map((state) => (
                            <span key={state} className="nowrap">
                              <StateBadge state={state} /> {formatCount(run.counts[state])}{' '}
                            </span>
                          ))}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="table-toolbar">
            <button type="button" className="button small" disabled={cursors.length === 1} onClick={() => setCursors((list) => list.slice(0, -1))}>
              Newer
            </button>
            <button type="button" className="button small" disabled={!page.data.nextCursor} onClick={() => setCursors((list) => [...list, page.data!.nextCursor])}>
              Older
            </button>
          </div>
        </section>
      )}
    </>
  );
}
