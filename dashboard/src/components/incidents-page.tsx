// Incidents (`?page=incidents`, admins and analysts): the alerts the correlation rules grouped,
// newest first, filtered by status and severity (in the address bar), paged with "More" through
// the keyset cursor, updated live from the stream's `incident.created` / `incident.changed` (with
// polling while the stream is down), and the drawer for the incident named by `&incident=`.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { errorMessage, get } from '../api.js';
import { count, dateTime, relative } from '../format.js';
import { useApp, useNow, useResource } from '../hooks.js';
import { useLive } from '../live.js';
import { SEVERITIES, STATUSES, type Incident, type IncidentPage } from '../types.js';
import type { Navigate } from '../use-view.js';
import { incidentsQuery, type IncidentFilters, type ViewState } from '../view-state.js';
import { IncidentDrawer } from './incident-drawer.js';
import { ListHead } from './list-head.js';

/** While the live stream is down, the list reloads this often. */
const FALLBACK_POLL_MS = 30_000;

interface Props {
  view: ViewState;
  navigate: Navigate;
}

interface LiveRows {
  /** Created since the list loaded, matching its filters: shown above it. */
  added: Incident[];
  /** Changed since the list loaded: shown in place. */
  changed: Record<string, Incident>;
}
const NO_LIVE_ROWS: LiveRows = { added: [], changed: {} };

/** Whether a live incident belongs under the list's filters. */
function matches(incident: Incident, filters: IncidentFilters | undefined): boolean {
  if (filters?.status && incident.status !== filters.status) return false;
  if (filters?.severity && !filters.severity.split(',').includes(incident.severity)) return false;
  return true;
}

export function IncidentsPage({ view, navigate }: Props) {
  const { dataVersion } = useApp();
  const filters = view.incidentFilters;
  const query = incidentsQuery(filters);
  const first = useResource(
    (signal) => get<IncidentPage>(`/api/incidents?${query}`, signal),
    [query, dataVersion],
  );
  /** Pages after the first, loaded with "More". */
  const [more, setMore] = useState<{ rows: Incident[]; cursor: string | null; error?: string }>();
  const [loadingMore, setLoadingMore] = useState(false);
  const now = useNow(15_000);
  const heading = useRef<HTMLHeadingElement>(null);
  // Focus the page's title, unless it opens on an incident (its drawer takes the focus).
  useLayoutEffect(() => {
    if (!view.incident) heading.current?.focus();
  }, []);

  const [live, setLive] = useState<LiveRows>(NO_LIVE_ROWS);
  useEffect(() => {
    setLive(NO_LIVE_ROWS);
    setMore(undefined);
  }, [first.data]);
  const liveState = useLive((event) => {
    if (event.type === 'resync') return first.reload();
    if (event.type !== 'incident.created' && event.type !== 'incident.changed') return;
    const incident = JSON.parse(event.data) as Incident;
    setLive((rows) => {
      const changed = { ...rows.changed, [incident.id]: incident };
      if (event.type === 'incident.created' && matches(incident, filters))
        return {
          added: [incident, ...rows.added.filter((i) => i.id !== incident.id)],
          changed,
        };
      return { ...rows, changed };
    });
  });
  useEffect(() => {
    if (liveState !== 'down') return;
    const timer = setInterval(first.reload, FALLBACK_POLL_MS);
    return () => clearInterval(timer);
  }, [liveState, first.reload]);

  const loaded = [...(first.data?.incidents ?? []), ...(more?.rows ?? [])];
  const loadedIds = new Set(loaded.map((i) => i.id));
  const incidents = [...live.added.filter((i) => !loadedIds.has(i.id)), ...loaded].map(
    (i) => live.changed[i.id] ?? i,
  );
  const nextCursor = more ? more.cursor : (first.data?.next_cursor ?? null);
  const hasMore = more ? Boolean(more.cursor) : Boolean(first.data?.has_more && nextCursor);

  const loadMore = async () => {
    if (!nextCursor) return;
    setLoadingMore(true);
    try {
      const page = await get<IncidentPage>(`/api/incidents?${incidentsQuery(filters, nextCursor)}`);
      setMore((m) => ({
        rows: [...(m?.rows ?? []), ...page.incidents],
        cursor: page.has_more ? page.next_cursor : null,
      }));
    } catch (error) {
      setMore((m) => ({ rows: m?.rows ?? [], cursor: nextCursor, error: errorMessage(error) }));
    } finally {
      setLoadingMore(false);
    }
  };

  const setFilters = (next: IncidentFilters) =>
    navigate({ ...view, incidentFilters: next, incident: undefined }, false, '');
  const open = (id: string) => navigate({ ...view, incident: id }, false, '');
  const current = view.incident ? incidents.find((i) => i.id === view.incident) : undefined;

  return (
    <section id="incidents" class="panel alerts" aria-labelledby="incidents-title">
      <ListHead
        title="Incidents"
        titleId="incidents-title"
        titleRef={heading}
        page={first}
        totalTestId="incidents-total"
        liveState={liveState}
        liveTestId="incidents-live-state"
      />
      <p class="muted">
        Alerts that share an address or a user within a correlation rule&apos;s window, grouped as
        they are stored.
      </p>
      <form class="filters" aria-label="Incident filters" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="incident-status-filter">Status</label>
          <select
            id="incident-status-filter"
            value={filters?.status ?? ''}
            onChange={(e) => setFilters({ ...filters, status: e.currentTarget.value || undefined })}
          >
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="incident-severity-filter">Severity</label>
          <select
            id="incident-severity-filter"
            value={filters?.severity ?? ''}
            onChange={(e) =>
              setFilters({ ...filters, severity: e.currentTarget.value || undefined })
            }
          >
            <option value="">Any</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
            <option value="high,critical">high or critical</option>
          </select>
        </div>
      </form>
      {first.error !== undefined && (
        <p class="error" role="alert">
          {errorMessage(first.error)}
        </p>
      )}
      <div class="scroll">
        <table class="alerts-table" data-testid="incidents-table" aria-busy={first.loading}>
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Severity</th>
              <th scope="col">Status</th>
              <th scope="col">Title</th>
              <th scope="col" class="num">
                Alerts
              </th>
              <th scope="col" class="wide-only">
                First alert
              </th>
              <th scope="col" class="wide-only">
                Last alert
              </th>
              <th scope="col" class="roomy-only">
                Assignee
              </th>
            </tr>
          </thead>
          <tbody>
            {incidents.map((incident) => (
              <tr
                key={incident.id}
                data-incident-id={incident.id}
                data-live={loadedIds.has(incident.id) ? undefined : 'new'}
                class={view.incident === incident.id ? 'current' : ''}
              >
                <td title={dateTime(incident.created_at)} class="nowrap">
                  {relative(incident.created_at, now)}
                </td>
                <td>
                  <span class={`sev sev-${incident.severity}`}>{incident.severity}</span>
                </td>
                <td>
                  <span class={`st st-${incident.status}`}>{incident.status}</span>
                </td>
                <td class="desc">
                  <button type="button" class="link" onClick={() => open(incident.id)}>
                    {incident.title}
                  </button>{' '}
                  <small class="muted">{incident.rule_name}</small>
                </td>
                <td class="num" data-testid="incident-row-count">
                  {count(incident.alert_count)}
                </td>
                <td class="wide-only nowrap" title={dateTime(incident.first_alert_at)}>
                  {relative(incident.first_alert_at, now)}
                </td>
                <td class="wide-only nowrap" title={dateTime(incident.last_alert_at)}>
                  {relative(incident.last_alert_at, now)}
                </td>
                <td class="roomy-only">{incident.assignee?.username ?? '–'}</td>
              </tr>
            ))}
            {first.data && incidents.length === 0 && (
              <tr>
                <td colSpan={8} class="muted">
                  No incident matches these filters.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Pages">
        <span class="muted">{incidents.length ? `${count(incidents.length)} shown` : ''}</span>
        {more?.error && (
          <span class="error" role="alert">
            {more.error}
          </span>
        )}
        <button
          type="button"
          onClick={() => void loadMore()}
          disabled={!hasMore || loadingMore}
          data-testid="incidents-more"
        >
          More
        </button>
      </nav>
      {view.incident && (
        <IncidentDrawer
          id={view.incident}
          knownVersion={current?.version}
          onClose={() => navigate({ ...view, incident: undefined }, false, '')}
          onSaved={(saved) =>
            setLive((rows) => ({ ...rows, changed: { ...rows.changed, [saved.id]: saved } }))
          }
          onOpenAlert={(alert) =>
            navigate(
              {
                ...view,
                page: undefined,
                incident: undefined,
                incidentFilters: undefined,
                alert,
              },
              false,
              '#alerts',
            )
          }
        />
      )}
    </section>
  );
}
