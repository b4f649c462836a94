import type { AttemptInfo } from '../../shared/api-types.js';

/** What a handler reported with `context.progress`: a bar and its message (a native <progress>, no inline style). */
export function ProgressBar({ fraction, message }: { fraction: number | null | undefined; message?: string | null }) {
  if (fraction === null || fraction === undefined) return null;
  const percent = Math.round(fraction * 100);
  return (
    <span className="progress" data-testid="progress">
      <progress max={100} value={percent} aria-label={`progress ${percent} %`} />
      <span className="progress-text">
        {percent} %{message ? <span className="muted"> · {message}</span> : null}
      </span>
    </span>
  );
}

/**
 * The log lines of a job's attempts (`context.log`), one collapsible block per attempt that wrote
 * any, the latest open. Lines are text, never HTML.
 */
export function AttemptLogs({ attempts, omitted }: { attempts: AttemptInfo[]; omitted: number }) {
  const logged = attempts.filter((attempt) => attempt.logs.length > 0);
  if (logged.length === 0) return null;
  return (
    <section className="card" aria-labelledby="logs-title">
      <header className="card-header">
        <h2 id="logs-title">Log</h2>
        <span className="muted small">lines the handler wrote with context.log, per attempt{omitted > 0 ? ` · ${omitted} older lines not shown` : ''}</span>
      </header>
      {logged.map((attempt, index) => (
        <details key={attempt.number} className="attempt-log" open={index === logged.length - 1}>
          <summary>
            Attempt #{attempt.number} · {attempt.logs.length} {attempt.logs.length === 1 ? 'line' : 'lines'}
            {attempt.outcome === 'running' ? <span className="muted"> · running</span> : null}
          </summary>
          <ol className="log-lines" data-testid="log-lines">
            {attempt.logs.map((line, lineIndex) => (
              <li key={lineIndex} className={`log-line log-${line.level}`}>
                <time dateTime={line.at} title={line.at}>{clockTime(line.at)}</time>
                <span className="log-level">{line.level}</span>
                <span className="log-message">
                  {line.message}
                  {line.data !== null && line.data !== undefined ? <span className="log-data"> {JSON.stringify(line.data)}</span> : null}
                </span>
              </li>
            ))}
          </ol>
        </details>
      ))}
    </section>
  );
}

/** HH:MM:SS.mmm in local time: lines of one attempt are seconds apart, not days. */
function clockTime(iso: string): string {
  const date = new Date(iso);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}
