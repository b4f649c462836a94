import type { PayloadView } from '../../shared/api-types.js';
import { formatBytes } from '../services/format.js';

/** A job's input or output as text (never HTML), with its size; large ones cut, with a download link. */
export function PayloadViewer({ title, payload, empty }: { title: string; payload: PayloadView | null; empty: string }) {
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
      {payload ? (
        <>
          <pre className="code" tabIndex={0}>{payload.text}</pre>
          {payload.truncated ? (
            <p className="muted small">
              Showing the first {formatBytes(payload.text.length)} of {formatBytes(payload.bytes)}. <a href={payload.downloadUrl} download>Download the whole {title.toLowerCase()}</a>.
            </p>
          ) : null}
        </>
      ) : (
        <p className="muted">{empty}</p>
      )}
    </section>
  );
}
