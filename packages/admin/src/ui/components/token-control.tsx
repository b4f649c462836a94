import { useEffect, useState } from 'react';
import type { MetaResponse } from '../../shared/api-types.js';
import { onTokenChange, readActorName, readToken, writeActorName, writeToken } from '../services/token.js';

/** The header's token control: shown when the server needs a token for changes or for reads. */
export function TokenControl({ meta }: { meta: MetaResponse | undefined }) {
  const [token, setToken] = useState(readToken);
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState('');
  const [name, setName] = useState(() => readActorName() ?? '');
  useEffect(() => onTokenChange(() => setToken(readToken())), []);
  if (!meta?.tokenRequired) return null;
  if (!open) {
    return (
      <button type="button" className={`button small ${token ? '' : 'button-primary'}`} onClick={() => setOpen(true)}>
        {token ? (meta.access === 'read' ? 'Token set · read-only' : meta.access === 'none' ? 'Token refused' : 'Token set') : 'Enter token'}
      </button>
    );
  }
  return (
    <form
      className="token-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (draft.trim()) writeToken(draft.trim());
        writeActorName(name.trim() || null);
        setDraft('');
        setOpen(false);
      }}
    >
      <label className="visually-hidden" htmlFor="admin-token">Admin token</label>
      <input id="admin-token" type="password" autoComplete="off" placeholder={meta.readTokenRequired ? 'admin token (read or operator)' : 'JOBBY_ADMIN_TOKEN'} value={draft} onChange={(event) => setDraft(event.target.value)} autoFocus />
      <label className="visually-hidden" htmlFor="admin-name">Your name, for the audit trail</label>
      <input id="admin-name" type="text" autoComplete="name" placeholder="your name (audit)" maxLength={80} value={name} onChange={(event) => setName(event.target.value)} />
      <button type="submit" className="button small button-primary">Save</button>
      {token ? (
        <button type="button" className="button small" onClick={() => { writeToken(null); setOpen(false); }}>
          Forget
        </button>
      ) : null}
      <button type="button" className="button small button-quiet" onClick={() => setOpen(false)}>Close</button>
    </form>
  );
}
