// Pivots from one alert: its addresses and user as links that filter the alert list
// (`?ip=<address>`, `?user=<name>`), and the alerts that share them within a day of it
// (GET /api/alerts/{id}/related), grouped by what they share.
import type { ComponentChildren } from 'preact';
import { errorMessage, get } from '../api.js';
import { count, dateTime, relative } from '../format.js';
import { useApp, useResource } from '../hooks.js';
import type { RelatedAlerts, RelatedGroup } from '../types.js';
import { DEFAULT_LIMIT, DEFAULT_SORT, writeView, type Filters } from '../view-state.js';

/** A pivot: the alert list filtered by this one filter alone. */
export type Pivot = Pick<Filters, 'ip' | 'user'>;

const SHARED: Record<RelatedGroup['shared'], string> = {
  src_ip: 'Source address',
  dst_ip: 'Destination address',
  user: 'User',
};

/** A link to the list filtered by `pivot` (a real href, so it opens in a new tab too). */
export function PivotLink({
  pivot,
  onPivot,
  children,
}: {
  pivot: Pivot;
  onPivot: (pivot: Pivot) => void;
  children: ComponentChildren;
}) {
  const [kind, value] = Object.entries(pivot)[0] as [keyof Pivot, string];
  const href = `${location.pathname}${writeView({ filters: pivot, sort: DEFAULT_SORT, limit: DEFAULT_LIMIT })}`;
  return (
    <a
      href={href}
      class="pivot"
      data-pivot={kind}
      title={kind === 'ip' ? `All alerts with ${value} on either side` : `All alerts of ${value}`}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        onPivot(pivot);
      }}
    >
      {children}
    </a>
  );
}

export function RelatedAlertsSection({
  id,
  onPivot,
  onOpen,
}: {
  id: string;
  onPivot: (pivot: Pivot) => void;
  onOpen: (id: string) => void;
}) {
  const { dataVersion } = useApp();
  const related = useResource(
    (signal) => get<RelatedAlerts>(`/api/alerts/${encodeURIComponent(id)}/related`, signal),
    [id, dataVersion],
  );
  const groups = related.data?.groups ?? [];
  return (
    <section aria-labelledby="related-title" data-testid="related-alerts">
      <h3 id="related-title">Related alerts</h3>
      {related.error !== undefined && <p class="error">{errorMessage(related.error)}</p>}
      {related.data && (
        <p class="muted small">
          Sharing an address or the user, created {dateTime(related.data.since)} –{' '}
          {dateTime(related.data.until)}.
        </p>
      )}
      {related.data && groups.length === 0 && (
        <p class="muted">This alert has no address and no user to pivot on.</p>
      )}
      {groups.map((group) => (
        <div
          class="related-group"
          key={`${group.shared}:${group.value}`}
          data-testid="related-group"
          data-shared={group.shared}
        >
          <h4>
            {SHARED[group.shared]}{' '}
            <PivotLink
              pivot={group.shared === 'user' ? { user: group.value } : { ip: group.value }}
              onPivot={onPivot}
            >
              <span class={group.shared === 'user' ? '' : 'mono'}>{group.value}</span>
            </PivotLink>{' '}
            <span class="muted" data-testid="related-total">
              {count(group.total)}
              {group.total_capped ? '+' : ''} {group.total === 1 ? 'alert' : 'alerts'}
              {group.capped ? `, newest ${count(group.alerts.length)} shown` : ''}
            </span>
          </h4>
          {group.alerts.length > 0 && (
            <ul class="related-list">
              {group.alerts.map((alert) => (
                <li key={alert.id} data-alert-id={alert.id}>
                  <span class={`sev sev-${alert.severity}`}>{alert.severity}</span>{' '}
                  <span class="muted" title={dateTime(alert.created_at)}>
                    {relative(alert.created_at)}
                  </span>{' '}
                  <button type="button" class="link" onClick={() => onOpen(alert.id)}>
                    {alert.description}
                  </button>{' '}
                  <span class="mono small muted">
                    {alert.src_ip ?? '–'} → {alert.dst_ip ?? '–'}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
      ))}
    </section>
  );
}
