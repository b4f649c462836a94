import { useEffect, useMemo, useState } from 'react';
import { jobStateNames, type BulkResponse, type OverviewResponse } from '../../shared/api-types.js';
import { ErrorBox, JobStateBadge, Loading, Notice, PageHeader, StateBadge, Time } from '../components/common.js';
import { useConfirm } from '../components/confirm-dialog.js';
import { Link, navigate, useLocation } from '../router.js';
import { queryString } from '../services/api-client.js';
import { formatDuration, formatRelative } from '../services/format.js';
import { countJobs, emptyFilters, filtersFromSearch, filtersToParams, listJobs, runBulkAction, runBulkByFilter, type JobFilters } from '../services/jobs.js';
import { getOverview } from '../services/overview.js';
import { useApi } from '../use-api.js';

/** The job list: filters live in the URL; pages are keyset cursors (a stack, for "newer"). */

const pageSize = 50;
const timePresets = [
  { label: 'any time', from: '' },
  { label: 'last 15 min', from: '-15m' },
  { label: 'last hour', from: '-1h' },
  { label: 'last 24 h', from: '-24h' },
  { label: 'last 7 days', from: '-7d' },
];

export function JobsPage() {
  const location = useLocation();
  const filters = useMemo(() => filtersFromSearch(location.search), [location.search]);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  /** Every job matching the filter is selected (acted on server-side), with the count shown. */
  const [allMatching, setAllMatching] = useState<{ count: number } | undefined>();
  const [counting, setCounting] = useState(false);
  const { dialog, ask } = useConfirm();
  const [bulkResult, setBulkResult] = useState<{ action: string; result: BulkResponse } | { error: Error } | undefined>();
  const [keyDraft, setKeyDraft] = useState(filters.keyPrefix);
  const overview = useApi((signal) => getOverview(signal), []);
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = useApi((signal) => listJobs(filters, cursor, pageSize, signal), [location.search, cursor], { refreshMs: cursors.length === 1 ? 5_000 : undefined });

  useEffect(() => {
    setCursors([null]);
    setSelected(new Set());
    setAllMatching(undefined);
    setKeyDraft(filters.keyPrefix);
  }, [location.search]); // eslint-disable-line react-hooks/exhaustive-deps -- resets paging and selection when the URL's filters change, and only then

  const update = (change: Partial<JobFilters>) => {
    navigate(`/jobs${queryString(filtersToParams({ ...filters, ...change }))}`, { replace: true });
  };
  useEffect(() => {
    if (keyDraft === filters.keyPrefix) return;
    const timer = setTimeout(() => update({ keyPrefix: keyDraft }), 300);
    return () => clearTimeout(timer);
  }, [keyDraft]); // eslint-disable-line react-hooks/exhaustive-deps -- debounces typing: a change of the other filters must not restart the timer

  const jobs = page.data?.jobs ?? [];
  const allSelected = jobs.length > 0 && jobs.every((job) => selected.has(job.id));
  const toggle = (id: string) => {
    setAllMatching(undefined);
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  };
  const selectAllMatching = async () => {
    setCounting(true);
    try {
      const counted = await countJobs(filters);
      if (counted.capped) setBulkResult({ error: new Error(`More than ${counted.cap.toLocaleString()} jobs match this filter: narrow it (by type, state or time) to act on all of them.`) });
      else setAllMatching({ count: counted.count });
    } catch (error) {
      setBulkResult({ error: error as Error });
    } finally {
      setCounting(false);
    }
  };
  const runBulk = async (action: 'retry' | 'cancel') => {
    const count = allMatching ? allMatching.count : selected.size;
    const noun = `${count.toLocaleString()} ${count === 1 ? 'job' : 'jobs'}`;
    const confirmed = await ask({
      title: `${action === 'retry' ? 'Retry' : 'Cancel'} ${noun}?`,
      body: (
        <>
          <p>{allMatching ? <>Every job matching this filter: <strong>{noun}</strong> (counted just now; jobs that start matching meanwhile are included).</> : <>The <strong>{noun}</strong> selected on this page.</>}</p>
          <p>{action === 'retry' ? 'Failed and cancelled jobs run again, with the jobs that were cancelled because of them; others are reported and left alone.' : 'Queued, waiting and running jobs are cancelled, with the jobs waiting on them; finished jobs are reported and left alone.'}</p>
        </>
      ),
      confirmLabel: `${action === 'retry' ? 'Retry' : 'Cancel'} ${noun}`,
      danger: action === 'cancel',
    });
    if (!confirmed) return;
    try {
      const result = allMatching ? await runBulkByFilter(action, filters) : await runBulkAction(action, [...selected]);
      setBulkResult({ action, result });
      setSelected(new Set());
      setAllMatching(undefined);
      page.reload();
    } catch (error) {
      setBulkResult({ error: error as Error });
    }
  };
  const hasMorePages = cursors.length > 1 || Boolean(page.data?.nextCursor);
  const plugins = overview.data?.plugins ?? [];
  const types = typesOf(plugins, filters.plugin);
  const custom = !timePresets.some((preset) => preset.from === filters.from) || filters.to !== '';

  return (
    <>
      <PageHeader title="Jobs" subtitle="Newest first by default. Filters are part of the address, so a view can be shared." actions={<Link to="/submit" className="button button-primary">Submit a job</Link>} />
      <form className="filters card" onSubmit={(event) => event.preventDefault()} aria-label="Filters">
        <label>
          Plugin
          <select value={filters.plugin} onChange={(event) => update({ plugin: event.target.value, type: '' })}>
            <option value="">all</option>
            {plugins.map((plugin) => (
              <option key={plugin.name} value={plugin.name}>{plugin.name}</option>
            ))}
          </select>
        </label>
        <label>
          Type
          <select value={filters.type} onChange={(event) => update({ type: event.target.value })}>
            <option value="">all</option>
            {types.map((type) => (
              <option key={type} value={type}>{type}</option>
            ))}
          </select>
        </label>
        <label>
          Key prefix
          <input type="search" value={keyDraft} placeholder="e.g. user-42" onChange={(event) => setKeyDraft(event.target.value)} />
        </label>
        <label>
          Time
          <select
            value={custom ? 'custom' : filters.from}
            onChange={(event) => (event.target.value === 'custom' ? update({ from: new Date(Date.now() - 86_400_000).toISOString().slice(0, 16) + 'Z', to: '' }) : update({ from: event.target.value, to: '' }))}
          >
            {timePresets.map((preset) => (
              <option key={preset.label} value={preset.from}>{preset.label}</option>
            ))}
            <option value="custom">custom range…</option>
          </select>
        </label>
        {custom ? (
          <>
            <label>
              From
              <input type="datetime-local" value={toLocalInput(filters.from)} onChange={(event) => update({ from: event.target.value ? new Date(event.target.value).toISOString() : '' })} />
            </label>
            <label>
              To
              <input type="datetime-local" value={toLocalInput(filters.to)} onChange={(event) => update({ to: event.target.value ? new Date(event.target.value).toISOString() : '' })} />
            </label>
          </>
        ) : null}
        <label>
          Time of
          <select value={filters.timeField} onChange={(event) => update({ timeField: event.target.value as JobFilters['timeField'] })}>
            <option value="created">creation</option>
            <option value="finished">finish</option>
          </select>
        </label>
        <label>
          Sort
          <select value={filters.sort} onChange={(event) => update({ sort: event.target.value as JobFilters['sort'] })}>
            <option value="-created">newest first</option>
            <option value="created">oldest first</option>
            <option value="-finished">last finished first</option>
            <option value="finished">first finished first</option>
          </select>
        </label>
        <fieldset className="state-filter">
          <legend>State</legend>
          {jobStateNames.map((state) => (
            <label key={state} className="chip">
              <input
                type="checkbox"
                checked={filters.states.includes(state)}
                onChange={(event) => update({ states: event.target.checked ? [...filters.states.filter((entry) => !isQueueKind(entry)), state] : filters.states.filter((entry) => entry !== state) })}
              />
              <StateBadge state={state} />
            </label>
          ))}
          {queueKinds.map((kind) => (
            <label key={kind} className="chip" title={kind === 'scheduled' ? 'Queued jobs waiting for their run-at time' : 'Queued jobs that ran before: in backoff or due again'}>
              <input type="checkbox" checked={filters.states.includes(kind)} onChange={(event) => update({ states: event.target.checked ? [kind] : [] })} />
              <span className={`state state-${kind}`}>{kind}</span>
            </label>
          ))}
        </fieldset>
        {location.search ? (
          <button type="button" className="button small button-quiet" onClick={() => update(emptyFilters)}>Clear filters</button>
        ) : null}
      </form>
      {filters.sort.endsWith('finished') || filters.timeField === 'finished' ? <p className="muted small">Sorting or filtering by finish time lists finished jobs only.</p> : null}

      {dialog}
      {bulkResult ? <BulkNotice outcome={bulkResult} onClose={() => setBulkResult(undefined)} /> : null}

      <section className="card table-card">
        <div className="table-toolbar">
          <span className="muted" data-testid="selection-count">
            {allMatching ? `all ${allMatching.count.toLocaleString()} matching selected` : selected.size > 0 ? `${selected.size} selected` : `${jobs.length} jobs on this page`}
          </span>
          <div className="toolbar-actions">
            <button type="button" className="button small" disabled={selected.size === 0 && !allMatching} onClick={() => void runBulk('retry')}>Retry selected</button>
            <button type="button" className="button small button-danger" disabled={selected.size === 0 && !allMatching} onClick={() => void runBulk('cancel')}>Cancel selected</button>
          </div>
        </div>
        {allSelected && hasMorePages ? (
          <div className="select-all-matching" role="status">
            {allMatching ? (
              <>
                All <strong>{allMatching.count.toLocaleString()}</strong> jobs matching this filter are selected.{' '}
                <button type="button" className="link-button" onClick={() => { setAllMatching(undefined); setSelected(new Set()); }}>Clear selection</button>
              </>
            ) : (
              <>
                All {jobs.length} jobs on this page are selected.{' '}
                <button type="button" className="link-button" disabled={counting} onClick={() => void selectAllMatching()}>
                  {counting ? 'Counting…' : 'Select all jobs matching this filter'}
                </button>
              </>
            )}
          </div>
        ) : null}
        {page.error ? <ErrorBox error={page.error} /> : null}
        {!page.data && !page.error ? (
          <Loading what="jobs" />
        ) : (
          <div className="table-wrap">
            <table className="table jobs-table" data-testid="jobs-table">
              <colgroup>
                <col className="col-check" />
                <col className="col-id" />
                <col className="col-type" />
                <col className="col-key" />
                <col className="col-state" />
                <col className="col-attempts" />
                <col className="col-time" />
                <col className="col-run-at" />
                <col className="col-run" />
                <col />
              </colgroup>
              <thead>
                <tr>
                  <th scope="col" className="check">
                    <input type="checkbox" aria-label="Select all on this page" checked={allSelected} onChange={() => { setAllMatching(undefined); setSelected(allSelected ? new Set() : new Set(jobs.map((job) => job.id))); }} />
                  </th>
                  <th scope="col" className="num">Id</th>
                  <th scope="col">Type</th>
                  <th scope="col">Key</th>
                  <th scope="col">State</th>
                  <th scope="col" className="num">Attempts</th>
                  <th scope="col">{filters.sort.endsWith('finished') ? 'Finished' : 'Created'}</th>
                  <th scope="col">Run at</th>
                  <th scope="col" className="num">Run time</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {jobs.length === 0 ? (
                  <tr>
                    <td colSpan={10} className="empty">No jobs match these filters.</td>
                  </tr>
                ) : (
                  jobs.map((job) => (
                    <tr key={job.id} className={selected.has(job.id) ? 'selected' : undefined}>
                      <td className="check">
                        <input type="checkbox" aria-label={`Select job ${job.id}`} checked={selected.has(job.id)} onChange={() => toggle(job.id)} />
                      </td>
                      <td className="num mono">
                        <Link to={`/jobs/${job.id}`}>{job.id}</Link>
                      </td>
                      <td className="mono" title={job.type}>{job.type}</td>
                      <td className="mono truncate" title={job.key}>
                        <Link to={`/jobs/${job.id}`}>{job.key}</Link>
                      </td>
                      <td><JobStateBadge job={job} /></td>
                      <td className="num">{job.attempts} / {job.maxAttempts}</td>
                      <td className="nowrap"><Time iso={filters.sort.endsWith('finished') ? job.finishedAt : job.createdAt} /></td>
                      <td className="nowrap" title={job.runAt}>{job.state === 'queued' || job.state === 'waiting' ? formatRelative(job.runAt) : <span className="muted">–</span>}</td>
                      <td className="num nowrap">{formatDuration(job.runMs)}</td>
                      <td className="truncate error-text" title={job.error?.message ?? ''}>{job.state === 'failed' || job.state === 'cancelled' || job.attempts > 1 ? job.error?.message : ''}</td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
        )}
        <nav className="pager" aria-label="Pages">
          <button type="button" className="button small" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>← Previous</button>
          <span className="muted small">page {cursors.length}</span>
          <button type="button" className="button small" disabled={!page.data?.nextCursor} onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])}>Next →</button>
        </nav>
      </section>
    </>
  );
}

const queueKinds = ['scheduled', 'retrying'] as const;
const isQueueKind = (state: string) => (queueKinds as readonly string[]).includes(state);

function typesOf(plugins: OverviewResponse['plugins'], plugin: string): string[] {
  return plugins.filter((entry) => !plugin || entry.name === plugin).flatMap((entry) => entry.jobTypes.map((type) => type.fullName));
}

function toLocalInput(value: string): string {
  if (!value || value.startsWith('-')) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

function BulkNotice({ outcome, onClose }: { outcome: { action: string; result: BulkResponse } | { error: Error }; onClose: () => void }) {
  if ('error' in outcome) return <ErrorBox error={outcome.error} title="Bulk action failed" />;
  const failed = outcome.result.results.filter((result) => !result.ok);
  const done = outcome.result.results.length - failed.length;
  return (
    <Notice kind={failed.length > 0 ? 'warning' : 'success'}>
      {outcome.action === 'retry' ? 'Retried' : 'Cancelled'} {done} of {outcome.result.results.length} jobs.
      {failed.length > 0 ? (
        <ul className="small">
          {failed.slice(0, 10).map((result) => (
            <li key={result.id}>
              <Link to={`/jobs/${result.id}`}>job {result.id}</Link>: {result.error?.message}
            </li>
          ))}
        </ul>
      ) : null}{' '}
      <button type="button" className="button small button-quiet" onClick={onClose}>Dismiss</button>
    </Notice>
  );
}

