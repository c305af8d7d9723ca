// The head of a live list panel (alerts, incidents): its title, how many match (exact, or "+"
// when the server capped its count), a refresh, and whether rows arrive live or by polling.
import type { ComponentChildren, Ref } from 'preact';
import { count } from '../format.js';
import type { Resource } from '../hooks.js';
import type { LiveState } from '../live.js';

interface Props {
  title: string;
  titleId: string;
  /** Focusable title (a page that focuses it on opening). */
  titleRef?: Ref<HTMLHeadingElement>;
  page: Resource<{ total: number; total_capped: boolean }>;
  totalTestId: string;
  liveState: LiveState;
  liveTestId: string;
  children?: ComponentChildren;
}

export function ListHead({
  title,
  titleId,
  titleRef,
  page,
  totalTestId,
  liveState,
  liveTestId,
  children,
}: Props) {
  const total = page.data ? `${count(page.data.total)}${page.data.total_capped ? '+' : ''}` : '…';
  return (
    <div class="panel-head">
      <h2 id={titleId} tabIndex={titleRef ? -1 : undefined} ref={titleRef}>
        {title}
      </h2>
      <span class="muted" aria-live="polite">
        <span data-testid={totalTestId}>{total}</span> matching
        {page.loading && <span class="spinner" aria-label="Loading" />}
      </span>
      <button type="button" class="ghost" onClick={page.reload}>
        Refresh
      </button>
      <span class={`live-state live-${liveState}`} data-testid={liveTestId}>
        {liveState === 'live' ? 'Live' : liveState === 'down' ? 'Polling' : 'Connecting…'}
      </span>
      {children}
    </div>
  );
}
