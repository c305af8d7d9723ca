// The view in the address bar: read on load and on back/forward, written with pushState so each
// change of filters (or of the open alert) is a history entry a reload or a shared link restores.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { readView, writeView, type ViewState } from './view-state.js';

export type Navigate = (next: ViewState, replace?: boolean, hash?: string) => void;

/** The view, and `navigate` to another (keeping the `#section` unless `hash` is given). */
export function useView(): [ViewState, Navigate] {
  const [view, setView] = useState(() => readView(location.search));

  useEffect(() => {
    const onPop = () => setView(readView(location.search));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  const navigate = useCallback<Navigate>((next, replace = false, hash = location.hash) => {
    const url = `${location.pathname}${writeView(next)}${hash}`;
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    setView(readView(location.search));
  }, []);

  return [view, navigate];
}
