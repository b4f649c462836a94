import type { ChangeEvent } from '../../shared/api-types.js';
import { onTokenChange, readToken } from './token.js';

/**
 * Live updates: one stream of `GET /api/events` per tab, shared by every page's data hook
 * (use-api.ts), opened while something listens and not paused. Read with fetch, not EventSource,
 * so that the token goes in the Authorization header (beyond loopback reads need it). The stream
 * reconnects with backoff (2 s doubling to 30 s) and at once when the token changes; while it is
 * down the pages poll as before. "Paused" (the header's toggle, kept in localStorage) closes the
 * stream and stops every automatic refresh.
 */

export type LiveState = 'connecting' | 'live' | 'offline' | 'paused';

const pausedKey = 'jobby-admin-live';
const changeListeners = new Set<(event: ChangeEvent) => void>();
const stateListeners = new Set<() => void>();
let state: LiveState = readPaused() ? 'paused' : 'offline';
let controller: AbortController | undefined;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let failures = 0;

function readPaused(): boolean {
  try {
    return localStorage.getItem(pausedKey) === 'paused';
  } catch {
    return false;
  }
}

function setState(next: LiveState): void {
  if (state === next) return;
  state = next;
  for (const listener of stateListeners) listener();
}

export function liveState(): LiveState {
  return state;
}

export function onLiveState(listener: () => void): () => void {
  stateListeners.add(listener);
  return () => void stateListeners.delete(listener);
}

export function setLivePaused(paused: boolean): void {
  try {
    if (paused) localStorage.setItem(pausedKey, 'paused');
    else localStorage.removeItem(pausedKey);
  } catch {
    // storage unavailable: the choice lasts until reload
  }
  disconnect();
  setState(paused ? 'paused' : 'offline');
  if (!paused) connect();
}

/** Calls `listener` with each change event; the first listener opens the stream, the last closes it. */
export function onChange(listener: (event: ChangeEvent) => void): () => void {
  changeListeners.add(listener);
  if (changeListeners.size === 1) connect();
  return () => {
    changeListeners.delete(listener);
    if (changeListeners.size === 0) {
      disconnect();
      if (state !== 'paused') setState('offline');
    }
  };
}

onTokenChange(() => {
  if (state === 'paused' || changeListeners.size === 0) return;
  disconnect();
  failures = 0;
  connect();
});

function disconnect(): void {
  controller?.abort();
  controller = undefined;
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = undefined;
}

function connect(): void {
  if (controller || state === 'paused' || changeListeners.size === 0) return;
  const current = new AbortController();
  controller = current;
  setState('connecting');
  void stream(current.signal).then(
    () => lost(current),
    () => lost(current),
  );
}

function lost(ended: AbortController): void {
  if (controller !== ended) return;
  controller = undefined;
  setState('offline');
  failures++;
  retryTimer = setTimeout(connect, Math.min(30_000, 2_000 * 2 ** Math.min(failures - 1, 4)));
}

async function stream(signal: AbortSignal): Promise<void> {
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  const token = readToken();
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch('/api/events', { headers, signal, cache: 'no-store' });
  if (!response.ok || !response.body) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      dispatch(block);
    }
  }
}

function dispatch(block: string): void {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (event === 'ready') {
    failures = 0;
    setState('live');
  } else if (event === 'change') {
    let parsed: ChangeEvent;
    try {
      parsed = JSON.parse(data.join('\n')) as ChangeEvent;
    } catch {
      return;
    }
    for (const listener of changeListeners) listener(parsed);
  }
}
