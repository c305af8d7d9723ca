// One subscription's delivery log (GET /api/webhooks/{id}/deliveries, newest first): status,
// attempts, the last answer or error, latency and times, by status, with "Show more" following
// the keyset cursor.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { errorMessage, get } from '../api.js';
import { count, dateTime, maskedUrl, relative } from '../format.js';
import { useNow, useResource } from '../hooks.js';
import {
  DELIVERY_STATUSES,
  type Delivery,
  type DeliveryPage,
  type DeliveryStatus,
  type Webhook,
} from '../types.js';

const LOG_PAGE = 25;

interface Props {
  webhook: Webhook;
  /** Bumped when a delivery was added meanwhile (a test message): the log reloads. */
  version: number;
  onClose: () => void;
}

interface More {
  rows: Delivery[];
  next: string | null;
  hasMore: boolean;
}

/** The last HTTP status and error (which often starts with that status already). */
function Answer({ delivery }: { delivery: Delivery }) {
  const code = delivery.last_status_code == null ? null : `HTTP ${delivery.last_status_code}`;
  const error = delivery.last_error;
  if (!error) return <>{code ?? '–'}</>;
  if (code && error.startsWith(code)) return <span class="last-error">{error}</span>;
  return (
    <>
      {code}
      <span class="last-error">{error}</span>
    </>
  );
}

export function DeliveryLog({ webhook, version, onClose }: Props) {
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const url = (cursor?: string) => {
    const params = new URLSearchParams({ limit: String(LOG_PAGE) });
    if (status) params.set('status', status);
    if (cursor) params.set('cursor', cursor);
    return `/api/webhooks/${encodeURIComponent(webhook.id)}/deliveries?${params}`;
  };
  const first = useResource(
    (signal) => get<DeliveryPage>(url(), signal),
    [webhook.id, status, version],
  );
  const [more, setMore] = useState<More>();
  const [moreError, setMoreError] = useState<string>();
  const [loadingMore, setLoadingMore] = useState(false);
  // Re-rendered every 15 s; read the clock itself so a change made a moment ago is not "in 2 s".
  const now = Math.max(useNow(15_000), Date.now());
  const heading = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => heading.current?.focus(), []);
  useEffect(() => {
    setMore(undefined);
    setMoreError(undefined);
  }, [first.data]);

  const rows = [...(first.data?.deliveries ?? []), ...(more?.rows ?? [])];
  const next = more ? more.next : (first.data?.next_cursor ?? null);
  const hasMore = more ? more.hasMore : (first.data?.has_more ?? false);

  const loadMore = async () => {
    if (!next) return;
    setLoadingMore(true);
    try {
      const page = await get<DeliveryPage>(url(next));
      setMore((m) => ({
        rows: [...(m?.rows ?? []), ...page.deliveries],
        next: page.next_cursor,
        hasMore: page.has_more,
      }));
    } catch (error) {
      setMoreError(errorMessage(error));
    } finally {
      setLoadingMore(false);
    }
  };

  const total = first.data
    ? `${count(first.data.total)}${first.data.total_capped ? '+' : ''}`
    : '…';

  return (
    <section id="webhook-deliveries" class="panel" aria-labelledby="deliveries-title">
      <div class="panel-head">
        <h2 id="deliveries-title" tabIndex={-1} ref={heading}>
          Deliveries to <span class="mono">{maskedUrl(webhook.url)}</span>
        </h2>
        <span class="muted" aria-live="polite">
          <span data-testid="deliveries-total">{total}</span>
          {status ? ` ${status}` : ' in the log'}
          {(first.loading || loadingMore) && <span class="spinner" aria-label="Loading" />}
        </span>
        <div class="inline">
          <label for="deliveries-status">Status</label>
          <select
            id="deliveries-status"
            value={status}
            onChange={(e) => setStatus(e.currentTarget.value as DeliveryStatus | '')}
          >
            <option value="">Any</option>
            {DELIVERY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <button type="button" class="ghost" onClick={first.reload}>
            Refresh log
          </button>
          <button type="button" class="ghost" onClick={onClose}>
            Close log
          </button>
        </div>
      </div>
      {first.error !== undefined && (
        <p class="error" role="alert">
          {errorMessage(first.error)}
        </p>
      )}
      <div class="scroll">
        <table class="admin-table" data-testid="deliveries-table" aria-busy={first.loading}>
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Type</th>
              <th scope="col" class="num">
                Alerts
              </th>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                Attempts
              </th>
              <th scope="col">Last answer</th>
              <th scope="col" class="num">
                Latency
              </th>
              <th scope="col">Delivered</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.id} data-delivery-id={d.id} data-status={d.status}>
                <td class="nowrap">{dateTime(d.created_at)}</td>
                <td class="nowrap">{d.type}</td>
                <td class="num">{count(d.alert_ids.length)}</td>
                <td>
                  <span class={`result result-${d.status}`}>{d.status}</span>
                </td>
                <td class="num">{count(d.attempts)}</td>
                <td class="answer">
                  <Answer delivery={d} />
                </td>
                <td class="num">{d.latency_ms == null ? '–' : `${count(d.latency_ms)} ms`}</td>
                <td class="nowrap">
                  {d.delivered_at
                    ? dateTime(d.delivered_at)
                    : d.next_attempt_at
                      ? `next try ${relative(d.next_attempt_at, now)}`
                      : '–'}
                </td>
              </tr>
            ))}
            {first.data && rows.length === 0 && (
              <tr>
                <td colSpan={8} class="muted">
                  {status ? `No ${status} delivery.` : 'Nothing sent yet.'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {moreError && (
        <p class="error" role="alert">
          {moreError}
        </p>
      )}
      <nav class="pager" aria-label="Delivery log pages">
        <span class="muted">{rows.length ? `${count(rows.length)} shown` : ''}</span>
        {hasMore && next && (
          <button type="button" onClick={() => void loadMore()} disabled={loadingMore}>
            Show more
          </button>
        )}
      </nav>
    </section>
  );
}
