// Alert metrics from GET /api/alerts/stats: counts, the hourly timeline, sources, countries, Tor
// share and response times.
import { ApiError, errorMessage, get } from '../api.js';
import { count, countryName, duration, label, share } from '../format.js';
import { useApp, useResource } from '../hooks.js';
import { SEVERITIES, STATUSES, type Stats } from '../types.js';
import type { ViewState } from '../view-state.js';
import { BarList, Ring, Timeline } from './charts.js';

const REFRESH_MS = 30_000;
const WINDOWS = [
  { hours: 1, label: 'Last hour' },
  { hours: 6, label: 'Last 6 hours' },
  { hours: 24, label: 'Last 24 hours' },
  { hours: 72, label: 'Last 3 days' },
  { hours: 168, label: 'Last 7 days' },
];

interface Props {
  view: ViewState;
  navigate: (next: ViewState, replace?: boolean) => void;
}

export function MetricsPanel({ view, navigate }: Props) {
  const { dataVersion } = useApp();
  const hours = view.window ?? 24;
  const setHours = (window: number) =>
    navigate({ ...view, window: window === 24 ? undefined : window }, true);
  const stats = useResource(
    (signal) => get<Stats>(`/api/alerts/stats?hours=${hours}`, signal),
    [hours, dataVersion],
    REFRESH_MS,
  );
  const s = stats.data;
  const tor = s?.by_enrichment_type?.tor_exit_node ?? 0;
  const missing = statsMissing(stats.error);

  return (
    <section id="metrics" class="panel metrics" aria-labelledby="metrics-title">
      <div class="panel-head">
        <h2 id="metrics-title">Alert metrics</h2>
        <div class="inline">
          <label for="metrics-window">Window</label>
          <select
            id="metrics-window"
            value={String(hours)}
            onChange={(e) => setHours(Number(e.currentTarget.value))}
          >
            {WINDOWS.map((w) => (
              <option key={w.hours} value={String(w.hours)}>
                {w.label}
              </option>
            ))}
            {!WINDOWS.some((w) => w.hours === hours) && (
              <option value={String(hours)}>Last {hours} hours</option>
            )}
          </select>
        </div>
      </div>
      {missing ? (
        <p class="muted" data-testid="metrics-unavailable">
          Metrics need GET /api/alerts/stats, which this service does not offer.
        </p>
      ) : stats.error !== undefined ? (
        <p class="error">Cannot read metrics: {errorMessage(stats.error)}</p>
      ) : null}
      {s && (
        <>
          <div class="cards">
            <Card
              title="Critical"
              value={count(s.by_severity?.critical ?? 0)}
              tone="critical"
              testId="critical-count"
            />
            <Card title="Alerts" value={count(s.total)} />
            <Card title="Open" value={count(s.by_status?.open ?? 0)} />
            <Card
              title="Mean time to acknowledge"
              value={duration(s.mean_time_to_acknowledge_seconds)}
              note={
                s.acknowledged_count != null ? `${count(s.acknowledged_count)} alerts` : undefined
              }
            />
            <Card
              title="Mean time to resolve"
              value={duration(s.mean_time_to_resolve_seconds)}
              note={s.resolved_count != null ? `${count(s.resolved_count)} alerts` : undefined}
            />
            <div class="card ring-card">
              <Ring
                part={tor}
                whole={s.total}
                label={`Tor exit nodes: ${share(tor, s.total)} of alerts`}
              />
              <span class="card-title">Tor share</span>
              <small class="muted">{count(tor)} alerts</small>
            </div>
          </div>
          <div class="charts">
            <figure class="chart wide">
              <figcaption>Alerts over time (per hour)</figcaption>
              <Timeline points={s.timeline ?? []} />
              <Legend />
            </figure>
            <figure class="chart">
              <figcaption>By severity</figcaption>
              <BarList
                title="Alerts by severity"
                bars={SEVERITIES.map((sev) => ({
                  key: sev,
                  label: sev,
                  value: s.by_severity?.[sev] ?? 0,
                  className: `sev-${sev}`,
                })).reverse()}
              />
            </figure>
            <figure class="chart">
              <figcaption>By status</figcaption>
              <BarList
                title="Alerts by status"
                bars={STATUSES.map((st) => ({
                  key: st,
                  label: st,
                  value: s.by_status?.[st] ?? 0,
                  className: `st-${st}`,
                }))}
              />
            </figure>
            <figure class="chart">
              <figcaption>By source</figcaption>
              <BarList
                title="Alerts by source"
                bars={[
                  ...(s.by_source ?? []).map((b) => ({
                    key: b.source,
                    label: label(b.source),
                    value: b.count,
                  })),
                  ...(s.by_source_other?.count
                    ? [
                        {
                          key: '(other)',
                          label: `${s.by_source_other.values} others`,
                          value: s.by_source_other.count,
                        },
                      ]
                    : []),
                ]}
              />
            </figure>
            <figure class="chart">
              <figcaption>Top destination countries</figcaption>
              <BarList
                title="Alerts by destination country"
                bars={(s.by_country ?? []).map((b) => ({
                  key: b.country ?? '(unknown)',
                  label: b.country ? `${countryName(b.country)} (${b.country})` : 'Unknown',
                  value: b.count,
                }))}
              />
            </figure>
          </div>
        </>
      )}
    </section>
  );
}

/**
 * A service without the stats route: 404, or (before it exists) `/api/alerts/{id}` refusing
 * "stats" as an id.
 */
function statsMissing(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return (
    error.status === 404 ||
    (error.status === 400 && (error.problem.errors ?? []).some((e) => e.field === 'id'))
  );
}

function Card({
  title,
  value,
  note,
  tone,
  testId,
}: {
  title: string;
  value: string;
  note?: string;
  tone?: string;
  testId?: string;
}) {
  return (
    <div class={`card ${tone ? `tone-${tone}` : ''}`}>
      <span class="card-value" data-testid={testId}>
        {value}
      </span>
      <span class="card-title">{title}</span>
      {note && <small class="muted">{note}</small>}
    </div>
  );
}

function Legend() {
  return (
    <ul class="legend" aria-label="Severity colours">
      {SEVERITIES.map((s) => (
        <li key={s}>
          <span class={`swatch sev-${s}`} aria-hidden="true" />
          {s}
        </li>
      ))}
    </ul>
  );
}
