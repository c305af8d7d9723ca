// Service health (GET /health, public) and the recent sync runs, refreshed every few seconds.
import { ApiError, get } from '../api.js';
import { count, dateTime, duration, relative } from '../format.js';
import { useApp, useNow, useResource } from '../hooks.js';
import type { Health, SyncRunList } from '../types.js';

const REFRESH_MS = 5000;

async function loadHealth(signal: AbortSignal): Promise<Health> {
  try {
    return await get<Health>('/health', signal);
  } catch (error) {
    // 503 problem+json: the database is down; the body still says what it can.
    if (error instanceof ApiError && error.status === 503) {
      const p = error.problem;
      return {
        status: 'down',
        db_connected: false,
        last_successful_sync: null,
        last_sync_status: null,
        last_error: p.detail ?? 'The database is unreachable',
        last_event_time: null,
        sync_interval_seconds: Number(p.sync_interval_seconds) || 0,
        upstream_url: typeof p.upstream_url === 'string' ? p.upstream_url : '',
        enrichment: p.enrichment as Health['enrichment'],
      };
    }
    throw error;
  }
}

export function HealthPanel() {
  const { dataVersion } = useApp();
  const health = useResource(loadHealth, [dataVersion], REFRESH_MS);
  const runs = useResource(
    (signal) => get<SyncRunList>('/api/sync/runs?limit=8', signal),
    [dataVersion],
    REFRESH_MS,
  );
  const now = useNow();
  const h = health.data;
  const lagSeconds = h?.last_event_time
    ? (now - new Date(h.last_event_time).getTime()) / 1000
    : null;
  const tor = h?.enrichment?.tor_list_updated_at;
  const geo = h?.enrichment?.geoip_database;

  return (
    <section id="health" class="panel health" aria-labelledby="health-title" aria-busy={!h}>
      <div class="panel-head">
        <h2 id="health-title">Service health</h2>
        {h && (
          <span class={`badge status-${h.status}`} data-testid="health-status">
            {h.status}
          </span>
        )}
      </div>
      {health.error !== undefined && (
        <p class="error" role="alert">
          Cannot read /health: {String((health.error as Error).message ?? health.error)}
        </p>
      )}
      {h?.last_error && (
        <p class="error last-error" role="alert" data-testid="last-error">
          <strong>Last sync failed:</strong> {h.last_error}
        </p>
      )}
      {h && (
        <dl class="facts">
          <dt>Last successful sync</dt>
          <dd data-testid="last-successful-sync" title={dateTime(h.last_successful_sync)}>
            {relative(h.last_successful_sync, now)}
          </dd>
          <dt>Last sync</dt>
          <dd>{h.last_sync_status ?? 'none yet'}</dd>
          <dt>Bookmark (last event)</dt>
          <dd>{dateTime(h.last_event_time)}</dd>
          <dt>Ingest lag</dt>
          <dd data-testid="ingest-lag">{lagSeconds === null ? '–' : duration(lagSeconds)}</dd>
          <dt>Sync interval</dt>
          <dd data-testid="sync-interval">{duration(h.sync_interval_seconds)}</dd>
          <dt>Next sync</dt>
          <dd title={dateTime(h.next_sync_at)}>
            {h.next_sync_at ? relative(h.next_sync_at, now) : 'not scheduled'}
          </dd>
          {h.skipped_ticks ? (
            <>
              <dt>Skipped ticks</dt>
              <dd>{count(h.skipped_ticks)}</dd>
            </>
          ) : null}
          <dt>Database</dt>
          <dd>{h.db_connected ? 'connected' : 'unreachable'}</dd>
          <dt>Upstream</dt>
          <dd class="mono">{h.upstream_url || '–'}</dd>
          <dt>GeoIP data</dt>
          <dd>
            {geo ? (
              <span title={geo.attribution ?? undefined}>
                {geo.name}, built {relative(geo.build_date, now)}
              </span>
            ) : (
              'not loaded'
            )}
          </dd>
          <dt>Tor exit list</dt>
          <dd>
            {count(h.enrichment?.tor_list_size ?? 0)} addresses
            {tor ? `, updated ${relative(tor, now)}` : ', shipped snapshot'}
          </dd>
        </dl>
      )}
      <h3>Recent syncs</h3>
      {runs.error !== undefined && (
        <p class="error">Cannot read sync runs: {(runs.error as Error).message}</p>
      )}
      <div class="scroll">
        <table class="runs" data-testid="sync-runs">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Trigger</th>
              <th scope="col">Result</th>
              <th scope="col" class="num">
                Took
              </th>
              <th scope="col" class="num">
                Fetched
              </th>
              <th scope="col" class="num">
                New
              </th>
              <th scope="col" class="num">
                Dupes
              </th>
              <th scope="col" class="num">
                Quarantined
              </th>
            </tr>
          </thead>
          <tbody>
            {(runs.data?.runs ?? []).map((run) => (
              <tr key={run.id} data-run-id={run.id}>
                <td title={dateTime(run.started_at)}>{relative(run.started_at, now)}</td>
                <td>{run.trigger}</td>
                <td>
                  <span class={`result result-${run.result}`} title={run.error ?? undefined}>
                    {run.result}
                  </span>
                </td>
                <td class="num">
                  {run.duration_ms == null ? '–' : duration(run.duration_ms / 1000)}
                </td>
                <td class="num">{count(run.fetched)}</td>
                <td class="num">{count(run.inserted)}</td>
                <td class="num">{count(run.duplicates)}</td>
                <td class="num">{count(run.quarantined)}</td>
              </tr>
            ))}
            {runs.data && runs.data.runs.length === 0 && (
              <tr>
                <td colSpan={8} class="muted">
                  No sync has run yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
