import { useCallback, useEffect, useRef, useState } from 'react';
import { liveState, onChange, onLiveState } from './services/live.js';
import { onTokenChange } from './services/token.js';

/** While live updates flow, a page still reloads this often, in case an event was lost. */
const fallbackFloorMs = 30_000;

/**
 * Loads data for a page: aborts when the inputs change or the page goes away, keeps the previous
 * data while reloading (no flicker on refresh), and with `refreshMs` keeps it fresh while the tab
 * is visible: on each change event of the live stream (services/live.ts; at most one a second),
 * with a slow fallback poll (six times `refreshMs`, at least 30 s); every `refreshMs` while the
 * stream is down; not at all while live updates are paused. `events: false` ignores the stream
 * and polls every `refreshMs`; `pollWhileLive` keeps polling every `refreshMs` beside the events,
 * for what moves no change counter (a running job's progress and log lines).
 */
export function useApi<T>(
  load: (signal: AbortSignal) => Promise<T>,
  dependencies: readonly unknown[],
  options: { refreshMs?: number; events?: boolean; pollWhileLive?: boolean } = {},
) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    loadRef.current(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (reason: unknown) => {
        if (controller.signal.aborted) return;
        setError(reason instanceof Error ? reason : new Error(String(reason)));
        setLoading(false);
      },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller lists what the fetch depends on (like useEffect's own list); `fetcher` is a new closure on every render
  }, [...dependencies, generation]);

  const { refreshMs } = options;
  const events = options.events ?? true;
  const pollWhileLive = options.pollWhileLive ?? false;
  useEffect(() => {
    if (!refreshMs) return;
    const reload = () => setGeneration((value) => value + 1);
    let missed = false;
    const streaming = () => events && !pollWhileLive && liveState() === 'live';
    const paused = () => liveState() === 'paused';
    let timer: ReturnType<typeof setInterval> | undefined;
    let period: number | undefined;
    let pausedBefore = paused();
    // Restarted only when the period changes (a stream reconnecting must not keep resetting it).
    const schedule = () => {
      // Resumed: catch up at once.
      if (pausedBefore && !paused()) reload();
      pausedBefore = paused();
      const next = paused() ? undefined : streaming() ? Math.max(refreshMs * 6, fallbackFloorMs) : refreshMs;
      if (next === period) return;
      period = next;
      if (timer) clearInterval(timer);
      timer =
        next === undefined
          ? undefined
          : setInterval(() => {
              if (document.visibilityState === 'visible') reload();
            }, next);
    };
    schedule();
    const stopState = onLiveState(schedule);
    const stopChanges = events
      ? onChange(() => {
          if (paused()) return;
          if (document.visibilityState === 'visible') reload();
          else missed = true;
        })
      : undefined;
    const visible = () => {
      if (missed && document.visibilityState === 'visible') {
        missed = false;
        reload();
      }
    };
    document.addEventListener('visibilitychange', visible);
    return () => {
      if (timer) clearInterval(timer);
      stopState();
      stopChanges?.();
      document.removeEventListener('visibilitychange', visible);
    };
  }, [refreshMs, events, pollWhileLive]);

  // A new token may grant what the old one did not (reads beyond loopback): load again.
  useEffect(() => onTokenChange(() => setGeneration((value) => value + 1)), []);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { data, error, loading, reload };
}
