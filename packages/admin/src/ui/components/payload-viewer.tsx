import { useDeferredValue, useEffect, useMemo, useState } from 'react';
import type { PayloadView } from '../../shared/api-types.js';
import { apiGet } from '../services/api-client.js';
import { copyText } from '../services/clipboard.js';
import { formatBytes } from '../services/format.js';
import { searchJson } from '../services/json-tree.js';
import { JsonTree } from './json-tree.js';

/**
 * A job's input or output: a collapsible JSON tree with search and copy (json-tree.tsx), or the
 * pretty-printed text; always text, never HTML. A payload larger than the detail's preview (64 KiB)
 * is fetched whole from its download URL once, for the tree; the raw download stays.
 */
export function PayloadViewer({ title, payload, empty }: { title: string; payload: PayloadView | null; empty: string }) {
  const [view, setView] = useState<'tree' | 'text'>('tree');
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState(false);
  const [copied, setCopied] = useState<string | undefined>();
  const whole = useWholePayload(payload);
  const deferredQuery = useDeferredValue(query);
  const search = useMemo(() => (whole.ok ? searchJson(whole.value, deferredQuery) : undefined), [whole, deferredQuery]);
  const label = title.toLowerCase();

  const copyAll = () => {
    if (!whole.ok) return;
    void copyText(JSON.stringify(whole.value, null, 2)).then((done) => setCopied(done ? `${title} copied` : 'copy failed'));
  };

  return (
    <section className="card payload" aria-label={title}>
      <header className="card-header">
        <h2>{title}</h2>
        {payload ? (
          <span className="muted">
            {formatBytes(payload.bytes)} · <a href={payload.downloadUrl} download>download</a>
          </span>
        ) : null}
      </header>
      {!payload ? (
        <p className="muted">{empty}</p>
      ) : (
        <>
          <div className="payload-toolbar">
            <div className="segmented" role="group" aria-label={`${title} view`}>
              <button type="button" className={view === 'tree' ? 'active' : undefined} aria-pressed={view === 'tree'} onClick={() => setView('tree')}>Tree</button>
              <button type="button" className={view === 'text' ? 'active' : undefined} aria-pressed={view === 'text'} onClick={() => setView('text')}>Text</button>
            </div>
            {view === 'tree' && whole.ok ? (
              <>
                <input
                  type="search"
                  className="payload-search"
                  placeholder="Search keys and values"
                  aria-label={`Search the ${label}`}
                  value={query}
                  onChange={(event) => setQuery(event.target.value)}
                />
                <label className="small nowrap">
                  <input type="checkbox" checked={filter} onChange={(event) => setFilter(event.target.checked)} /> only matches
                </label>
                {search ? (
                  <span className="muted small" role="status" data-testid="json-match-count">
                    {search.matches.size.toLocaleString('en-US')}{search.capped ? '+' : ''} {search.matches.size === 1 ? 'match' : 'matches'}
                  </span>
                ) : null}
              </>
            ) : null}
            <button type="button" className="button small" disabled={!whole.ok} onClick={copyAll} title={`Copy the whole ${label} as JSON`}>Copy</button>
            {copied ? <span className="muted small" role="status">{copied}</span> : null}
          </div>
          {view === 'tree' ? (
            whole.ok ? (
              <div className="payload-body">
                <JsonTree value={whole.value} search={search} filter={filter} label={title} />
              </div>
            ) : whole.error ? (
              <p className="muted">Could not read the whole {label} ({whole.error}); the text view shows its start.</p>
            ) : (
              <p className="muted">Loading the whole {label} ({formatBytes(payload.bytes)})…</p>
            )
          ) : (
            <>
              <pre className="code" tabIndex={0}>{payload.text}</pre>
              {payload.truncated ? (
                <p className="muted small">
                  Showing the first {formatBytes(payload.text.length)} of {formatBytes(payload.bytes)}. <a href={payload.downloadUrl} download>Download the whole {label}</a>.
                </p>
              ) : null}
            </>
          )}
        </>
      )}
    </section>
  );
}

type WholePayload = { ok: true; value: unknown } | { ok: false; error?: string };

/** The payload as a value: parsed from the preview when it is whole, else fetched once from its download URL. */
function useWholePayload(payload: PayloadView | null): WholePayload {
  const text = payload && !payload.truncated ? payload.text : undefined;
  const url = payload?.truncated ? payload.downloadUrl : undefined;
  const bytes = payload?.bytes;
  const [fetched, setFetched] = useState<{ url: string; bytes: number | undefined; result: WholePayload } | undefined>();
  const parsed = useMemo<WholePayload | undefined>(() => {
    if (text === undefined) return undefined;
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
  }, [text]);
  useEffect(() => {
    if (url === undefined || (fetched?.url === url && fetched.bytes === bytes)) return;
    const controller = new AbortController();
    apiGet<unknown>(url, controller.signal).then(
      (value) => setFetched({ url, bytes, result: { ok: true, value } }),
      (error: unknown) => {
        if ((error as Error).name !== 'AbortError') setFetched({ url, bytes, result: { ok: false, error: (error as Error).message } });
      },
    );
    return () => controller.abort();
  }, [url, bytes, fetched]);
  if (parsed) return parsed;
  if (url !== undefined && fetched?.url === url) return fetched.result;
  return { ok: false };
}
