/**
 * The admin token lives in sessionStorage: it survives reloads of this tab, is gone when the tab
 * closes, and is never sent anywhere but this server's mutating requests (Authorization header).
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
