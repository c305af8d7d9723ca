// The view in the address bar: read on load and on back/forward, written with pushState so each
// change of filters (or of the open alert) is a history entry a reload or a shared link restores.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { readView, writeView, type ViewState } from './view-state.js';

export function useView(): [ViewState, (next: ViewState, replace?: boolean) => void] {
  const [view, setView] = useState(() => readView(location.search));

  useEffect(() => {
    const onPop = () => setView(readView(location.search));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  const navigate = useCallback((next: ViewState, replace = false) => {
    const url = `${location.pathname}${writeView(next)}${location.hash}`;
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    setView(readView(location.search));
  }, []);

  return [view, navigate];
}
