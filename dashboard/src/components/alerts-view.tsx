// The alerts table: filters and page from the URL, keyset paging through next_cursor, selection
// and bulk actions for admins, and the drawer for the alert named by `?alert=`.
import { useEffect, useState } from 'preact/hooks';
import { errorMessage, get } from '../api.js';
import { count, dateTime, label, relative } from '../format.js';
import { useApp, useNow, useResource } from '../hooks.js';
import { matchesFilters } from '../live-filter.js';
import { useLive } from '../live.js';
import type { Alert, AlertPage } from '../types.js';
import { alertsQuery, DEFAULT_SORT, type ViewState } from '../view-state.js';
import { AlertDrawer } from './alert-drawer.js';
import { AlertFilters } from './alert-filters.js';
import { BulkActions } from './bulk-actions.js';
import { ListHead } from './list-head.js';

/** While the live stream is down, the table reloads this often. */
const FALLBACK_POLL_MS = 30_000;

interface LiveRows {
  /** Created since the page loaded, matching its filters: shown above it (first page only). */
  added: Alert[];
  /** Changed since the page loaded: shown in place. */
  changed: Record<string, Alert>;
  /** Created since, that may match but are not shown (a later page, an unknown filter). */
  unseen: number;
}
const NO_LIVE_ROWS: LiveRows = { added: [], changed: {}, unseen: 0 };

interface Props {
  view: ViewState;
  navigate: (next: ViewState, replace?: boolean) => void;
  /** Open an incident on the incidents page. */
  onIncident: (id: string) => void;
}

export function AlertsView({ view, navigate, onIncident }: Props) {
  const { isAdmin, dataVersion } = useApp();
  const query = alertsQuery(view);
  const page = useResource(
    (signal) => get<AlertPage>(`/api/alerts?${query}`, signal),
    [query, dataVersion],
  );
  const [selected, setSelected] = useState<Set<string>>(new Set());
  /** Cursors of the pages before this one (undefined = the first page). */
  const [previous, setPrevious] = useState<Array<string | undefined>>([]);
  const now = useNow(15_000);
  const filtersKey = JSON.stringify([view.filters, view.sort, view.limit]);

  useEffect(() => setSelected(new Set()), [query]);
  useEffect(() => setPrevious([]), [filtersKey]);

  // Live rows (GET /api/stream, see live.ts); each reload of the page starts them over.
  const [live, setLive] = useState<LiveRows>(NO_LIVE_ROWS);
  useEffect(() => setLive(NO_LIVE_ROWS), [page.data]);
  const liveState = useLive((event) => {
    if (event.type === 'resync') return page.reload();
    if (event.type !== 'alert.created' && event.type !== 'alert.changed') return;
    const alert = JSON.parse(event.data) as Alert;
    setLive((rows) => {
      if (event.type === 'alert.changed')
        return { ...rows, changed: { ...rows.changed, [alert.id]: alert } };
      const fits = matchesFilters(alert, view.filters);
      if (fits === true && !view.cursor && view.sort === DEFAULT_SORT)
        return { ...rows, added: [alert, ...rows.added.filter((a) => a.id !== alert.id)] };
      return fits === false ? rows : { ...rows, unseen: rows.unseen + 1 };
    });
  });
  useEffect(() => {
    if (liveState !== 'down') return;
    const timer = setInterval(page.reload, FALLBACK_POLL_MS);
    return () => clearInterval(timer);
  }, [liveState, page.reload]);

  const loaded = page.data?.alerts ?? [];
  const loadedIds = new Set(loaded.map((a) => a.id));
  const alerts = [...live.added.filter((a) => !loadedIds.has(a.id)), ...loaded].map(
    (a) => live.changed[a.id] ?? a,
  );
  const allSelected = alerts.length > 0 && alerts.every((a) => selected.has(a.id));
  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const open = (id: string) => navigate({ ...view, alert: id });

  const goNext = () => {
    if (!page.data?.next_cursor) return;
    setPrevious((p) => [...p, view.cursor]);
    navigate({ ...view, cursor: page.data.next_cursor, alert: undefined });
  };
  const goPrevious = () => {
    const cursor = previous[previous.length - 1];
    setPrevious((p) => p.slice(0, -1));
    navigate({ ...view, cursor, alert: undefined });
  };
  const goFirst = () => {
    setPrevious([]);
    navigate({ ...view, cursor: undefined, alert: undefined });
  };

  return (
    <section id="alerts" class="panel alerts" aria-labelledby="alerts-title">
      <ListHead
        title="Alerts"
        titleId="alerts-title"
        page={page}
        totalTestId="alerts-total"
        liveState={liveState}
        liveTestId="live-state"
      >
        {live.unseen > 0 && (
          <button
            type="button"
            class="ghost"
            data-testid="live-unseen"
            onClick={() => (view.cursor ? goFirst() : page.reload())}
          >
            {count(live.unseen)} new — show
          </button>
        )}
      </ListHead>
      <AlertFilters
        view={view}
        onApply={(filters, sort, limit) => navigate({ filters, sort, limit, window: view.window })}
      />
      {isAdmin && (
        <BulkActions
          filters={view.filters}
          selected={[...selected]}
          matching={page.data?.total}
          onDone={() => setSelected(new Set())}
        />
      )}
      {page.error !== undefined && (
        <p class="error" role="alert">
          {errorMessage(page.error)}
        </p>
      )}
      <div class="scroll">
        <table class="alerts-table" data-testid="alerts-table" aria-busy={page.loading}>
          <thead>
            <tr>
              {isAdmin && (
                <th scope="col" class="select">
                  <input
                    type="checkbox"
                    aria-label="Select every alert on this page"
                    checked={allSelected}
                    onChange={(e) => {
                      const on = e.currentTarget.checked;
                      setSelected(on ? new Set(alerts.map((a) => a.id)) : new Set());
                    }}
                  />
                </th>
              )}
              <th scope="col">Created</th>
              <th scope="col">Severity</th>
              <th scope="col">Status</th>
              <th scope="col" class="roomy-only">
                Source
              </th>
              <th scope="col">Description</th>
              <th scope="col" class="wide-only">
                Source → destination
              </th>
              <th scope="col" class="roomy-only">
                Country
              </th>
              <th scope="col" class="wide-only">
                User
              </th>
              <th scope="col" class="wide-only">
                Assignee
              </th>
            </tr>
          </thead>
          <tbody>
            {alerts.map((alert) => (
              <tr
                key={alert.id}
                data-alert-id={alert.id}
                data-live={loadedIds.has(alert.id) ? undefined : 'new'}
                class={view.alert === alert.id ? 'current' : ''}
              >
                {isAdmin && (
                  <td class="select">
                    <input
                      type="checkbox"
                      aria-label={`Select alert ${alert.external_id ?? alert.id}`}
                      checked={selected.has(alert.id)}
                      onChange={(e) => toggle(alert.id, e.currentTarget.checked)}
                    />
                  </td>
                )}
                <td title={dateTime(alert.created_at)} class="nowrap">
                  {relative(alert.created_at, now)}
                </td>
                <td>
                  <span class={`sev sev-${alert.severity}`}>{alert.severity}</span>
                </td>
                <td>
                  <span class={`st st-${alert.status}`}>{alert.status}</span>
                </td>
                <td class="roomy-only">{label(alert.source)}</td>
                <td class="desc">
                  <button type="button" class="link" onClick={() => open(alert.id)}>
                    {alert.description}
                  </button>
                  {alert.enrichment_type === 'tor_exit_node' && (
                    <span class="tag tor" title="Tor exit node">
                      Tor
                    </span>
                  )}
                </td>
                <td class="mono wide-only">
                  {alert.src_ip ?? '–'} → {alert.dst_ip ?? '–'}
                </td>
                <td class="roomy-only">{alert.country ?? '–'}</td>
                <td class="wide-only">{alert.user ?? '–'}</td>
                <td class="wide-only">{alert.assignee?.username ?? '–'}</td>
              </tr>
            ))}
            {page.data && alerts.length === 0 && (
              <tr>
                <td colSpan={isAdmin ? 10 : 9} class="muted">
                  No alert matches these filters.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Pages">
        <button type="button" class="ghost" onClick={goFirst} disabled={!view.cursor}>
          First page
        </button>
        <button type="button" class="ghost" onClick={goPrevious} disabled={previous.length === 0}>
          Previous page
        </button>
        <span class="muted">
          {alerts.length ? `${count(alerts.length)} shown` : ''}
          {previous.length ? ` · page ${previous.length + 1}` : ''}
        </span>
        <button
          type="button"
          onClick={goNext}
          disabled={!page.data?.has_more || !page.data.next_cursor}
        >
          Next page
        </button>
      </nav>
      {view.alert && (
        <AlertDrawer
          id={view.alert}
          onClose={() => navigate({ ...view, alert: undefined })}
          onOpen={open}
          onIncident={onIncident}
          onPivot={(pivot) =>
            navigate({ filters: pivot, sort: view.sort, limit: view.limit, window: view.window })
          }
        />
      )}
    </section>
  );
}
