import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { Me } from './types.js';

export interface AppContextValue {
  me: Me;
  isAdmin: boolean;
  /** Bumped when something changed the data (a sync, an alert change): views reload. */
  dataVersion: number;
  dataChanged: () => void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside AppContext');
  return value;
}

export interface Resource<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads `fetcher` now, again whenever `deps` change, every `intervalMs` when given (skipped while
 * the tab is hidden), and on `reload()`. A late answer to an older request never overwrites a
 * newer one.
 */
export function useResource<T>(
  fetcher: (signal: AbortSignal) => Promise<T>,
  deps: unknown[],
  intervalMs?: number,
): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: true,
  });
  const [nonce, setNonce] = useState(0);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;

  useEffect(() => {
    let controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;

    const load = async () => {
      controller.abort();
      controller = new AbortController();
      const { signal } = controller;
      setState((s) => ({ ...s, loading: true }));
      try {
        const data = await fetcherRef.current(signal);
        if (!signal.aborted) setState({ data, loading: false });
      } catch (error) {
        if (!signal.aborted) setState((s) => ({ data: s.data, error, loading: false }));
      }
      if (intervalMs && !stopped) {
        timer = setTimeout(tick, intervalMs);
      }
    };
    const tick = () => {
      if (stopped) return;
      if (document.visibilityState === 'hidden') {
        timer = setTimeout(tick, intervalMs);
        return;
      }
      void load();
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
      controller.abort();
    };
  }, [...deps, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload };
}

/** The current time, ticking every `ms` (for "3 min ago" labels). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
