/**
 * The admin token lives in sessionStorage: it survives reloads of this tab, is gone when the tab
 * closes, and is never sent anywhere but this server's API requests (Authorization header): the
 * operator token for changes, or either token for reads where the server needs one for them.
 */
const storageKey = 'jobby-admin-token';
const listeners = new Set<() => void>();

export function readToken(): string | null {
  try {
    return sessionStorage.getItem(storageKey);
  } catch {
    return null;
  }
}

export function writeToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(storageKey, token);
    else sessionStorage.removeItem(storageKey);
  } catch {
    // storage unavailable (private mode): the token lasts until reload
  }
  for (const listener of listeners) listener();
}

export function onTokenChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The name an operator gives for the audit trail (sent as X-Jobby-Actor with changes). */
const nameKey = 'jobby-admin-name';

export function readActorName(): string | null {
  try {
    return localStorage.getItem(nameKey);
  } catch {
    return null;
  }
}

export function writeActorName(name: string | null): void {
  try {
    if (name) localStorage.setItem(nameKey, name);
    else localStorage.removeItem(nameKey);
  } catch {
    // storage unavailable: changes are recorded without a name
  }
}
