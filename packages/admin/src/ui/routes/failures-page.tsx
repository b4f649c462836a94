import { useState } from 'react';
import type { BulkResponse, FailureGroupInfo } from '../../shared/api-types.js';
import { ErrorBox, Loading, Notice, PageHeader, Time } from '../components/common.js';
import { useConfirm } from '../components/confirm-dialog.js';
import { Link } from '../router.js';
import { formatCount } from '../services/format.js';
import { getFailureGroups, runFailureGroupAction } from '../services/failures.js';
import { useApi } from '../use-api.js';

/**
 * Failure triage: failed and retrying jobs grouped by type and error, largest group first, with
 * when the error was first and last seen; a failed group can be retried whole, a retrying one
 * cancelled whole (each after a confirmation that shows how many jobs it changes).
 */
export function FailuresPage() {
  const groups = useApi((signal) => getFailureGroups(signal), [], { refreshMs: 10_000 });
  const { dialog, ask } = useConfirm();
  const [outcome, setOutcome] = useState<{ kind: 'success' | 'warning' | 'error'; text: string } | undefined>();

  const act = async (group: FailureGroupInfo, action: 'retry' | 'cancel') => {
    const noun = `${formatCount(group.count)} ${group.count === 1 ? 'job' : 'jobs'}`;
    const confirmed = await ask({
      title: `${action === 'retry' ? 'Retry' : 'Cancel'} ${noun}?`,
      body: (
        <>
          <p>
            Every {group.state} <span className="mono">{group.type}</span> job whose error reads “{group.message}” ({noun} when counted).
          </p>
          <p>{action === 'retry' ? 'They run again, with the jobs that were cancelled because they failed.' : 'They stop retrying and are cancelled, with the jobs waiting on them.'}</p>
        </>
      ),
      confirmLabel: `${action === 'retry' ? 'Retry' : 'Cancel'} ${noun}`,
      danger: action === 'cancel',
    });
    if (!confirmed) return;
    try {
      const result: BulkResponse = await runFailureGroupAction(action, group);
      const failed = result.results.filter((entry) => !entry.ok).length;
      setOutcome({ kind: failed > 0 ? 'warning' : 'success', text: `${action === 'retry' ? 'Retried' : 'Cancelled'} ${result.results.length - failed} of ${result.results.length} jobs.` });
      groups.reload();
    } catch (error) {
      setOutcome({ kind: 'error', text: (error as Error).message });
    }
  };

  return (
    <>
      <PageHeader title="Failures" subtitle="Failed and retrying jobs, grouped by type and error. Retry or cancel a whole group." />
      {dialog}
      {outcome ? <Notice kind={outcome.kind}>{outcome.text}</Notice> : null}
      {groups.error ? <ErrorBox error={groups.error} /> : null}
      {!groups.data ? (
        <Loading what="failures" />
      ) : groups.data.groups.length === 0 ? (
        <Notice kind="success">No failed or retrying jobs.</Notice>
      ) : (
        <section className="card table-card">
          <div className="table-wrap">
            <table className="table" data-testid="failures-table">
              <thead>
                <tr>
                  <th scope="col">Job type</th>
                  <th scope="col">State</th>
                  <th scope="col">Error</th>
                  <th scope="col" className="num">Jobs</th>
                  <th scope="col">First seen</th>
                  <th scope="col">Last seen</th>
                  <th scope="col"><span className="visually-hidden">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {groups.data.groups.map((group) => (
                  <tr key={`${group.type}|${group.state}|${group.code}|${group.message}`}>
                    <td className="mono"><Link to={`/types/${encodeURIComponent(group.type)}`}>{group.type}</Link></td>
                    <td><span className={`state state-${group.state}`}>{group.state}</span></td>
                    <td className="failure-error">
                      {group.code ? <span className="mono small muted">{group.code} </span> : null}
                      <span className="error-text">{group.message}</span>
                    </td>
                    <td className="num"><Link to={`/jobs?type=${encodeURIComponent(group.type)}&state=${group.state}`}>{formatCount(group.count)}</Link></td>
                    <td className="nowrap"><Time iso={group.firstSeenAt} /></td>
                    <td className="nowrap"><Time iso={group.lastSeenAt} /></td>
                    <td className="nowrap">
                      {group.state === 'failed' ? (
                        <button type="button" className="button small" onClick={() => void act(group, 'retry')}>Retry group</button>
                      ) : (
                        <button type="button" className="button small button-danger" onClick={() => void act(group, 'cancel')}>Cancel group</button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}
