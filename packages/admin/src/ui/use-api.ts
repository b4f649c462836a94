import { useCallback, useEffect, useRef, useState } from 'react';
import { onTokenChange } from './services/token.js';

/**
 * Loads data for a page: aborts when the inputs change or the page goes away, keeps the previous
 * data while reloading (no flicker on refresh), and optionally refreshes every `refreshMs` while the
 * tab is visible.
 */
export function useApi<T>(load: (signal: AbortSignal) => Promise<T>, dependencies: readonly unknown[], options: { refreshMs?: number } = {}) {
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

  useEffect(() => {
    if (!options.refreshMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setGeneration((value) => value + 1);
    }, options.refreshMs);
    return () => clearInterval(timer);
  }, [options.refreshMs]);

  // A new token may grant what the old one did not (reads beyond loopback): load again.
  useEffect(() => onTokenChange(() => setGeneration((value) => value + 1)), []);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { data, error, loading, reload };
}
