import type { ReactNode } from 'react';
import type { JobStateName } from '../../shared/api-types.js';
import { ApiError } from '../services/api-client.js';
import { formatRelative, formatTime } from '../services/format.js';
import { stateLabel } from '../services/queue-state.js';

export function StateBadge({ state }: { state: JobStateName }) {
  return <span className={`state state-${state}`}>{state}</span>;
}

/** A job's state as an operator reads it: a queued job says whether it is scheduled or retrying, and when it runs. */
export function JobStateBadge({ job, now }: { job: { state: JobStateName; attempts: number; runAt: string }; now?: Date }) {
  const label = stateLabel(job, now);
  return <span className={`state state-${label.kind}`} title={job.state === 'queued' ? `queued; runs at ${job.runAt}` : undefined}>{label.text}</span>;
}

export function ErrorBox({ error, title = 'Could not load' }: { error: Error; title?: string }) {
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <div className="notice notice-error" role="alert">
      <strong>{title}</strong>
      {code ? <span className="muted"> ({code})</span> : null}: {error.message}
    </div>
  );
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'warning' | 'success' | 'error'; children: ReactNode }) {
  return <div className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>{children}</div>;
}

/** An absolute time with the relative one beside it. */
export function Time({ iso, now }: { iso: string | null | undefined; now?: Date }) {
  if (!iso) return <span className="muted">–</span>;
  return (
    <time dateTime={iso} title={iso}>
      {formatTime(iso)} <span className="muted">({formatRelative(iso, now)})</span>
    </time>
  );
}

export function Loading({ what }: { what: string }) {
  return <p className="muted loading">Loading {what}…</p>;
}

export function PageHeader({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p className="subtitle">{subtitle}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  );
}
