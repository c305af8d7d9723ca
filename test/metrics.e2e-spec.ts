// GET /metrics (issue 6): Prometheus text that a real parser reads, the series of the contract,
// bounded labels, and sync counters that agree with GET /api/sync/runs.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { MockUpstream, startMockUpstream } from './support/mock-upstream.js';
import { syncNow } from './support/sync.js';
import { startTestApp, TestApp, TestUser } from './support/test-app.js';

interface Sample {
  labels?: Record<string, string>;
  value?: string;
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}
interface Family {
  name: string;
  help: string;
  type: string;
  metrics: Sample[];
}

describe('Prometheus metrics (e2e)', () => {
  let mock: MockUpstream;
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    mock = await startMockUpstream({ MOCK_BACKLOG: '900' });
    t = await startTestApp({
      UPSTREAM_URL: mock.url,
      UPSTREAM_RETRIES: '1',
      SYNC_PAGE_SIZE: '200',
      DEFAULT_LOOKBACK_HOURS: '48',
    });
    await t.reset();
    admin = await t.user('admin', ['admin']);
  });
  afterAll(async () => {
    await t.close();
    await mock.close();
  });

  async function scrapeText(): Promise<string> {
    const res = await t.api.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.body as string;
  }
  async function scrape(): Promise<Map<string, Family>> {
    const families = parsePrometheusTextFormat(await scrapeText()) as Family[];
    return new Map(families.map((f) => [f.name, f]));
  }
  /**
   * The labelled `_count` samples of a histogram. (parse-prometheus-text-format, a port of the
   * reference Python parser, validates the whole text but folds a labelled histogram's series
   * into one, so its samples are read here from the lines it has validated.)
   */
  function histogramCounts(text: string, name: string): Array<Record<string, string>> {
    return text
      .split('\n')
      .filter((line) => line.startsWith(`${name}_count{`))
      .map((line) => {
        const [, body, count] = /^[^{]+\{(.*)\} (\S+)$/.exec(line)!;
        const labels = Object.fromEntries(
          [...body.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
        );
        return { ...labels, count };
      });
  }
  const value = (family: Family | undefined, labels: Record<string, string> = {}) =>
    Number(
      family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
        ?.value ?? 0,
    );

  it('counts syncs, alerts and quarantine exactly as the run history records them', async () => {
    await mock.setChaos({ malformed_rate: 0.05 });
    expect((await syncNow(t, admin)).result).toBe('success');
    await mock.setChaos({ failure_rate: 1, malformed_rate: 0.05 });
    expect((await syncNow(t, admin)).result).toBe('failed');
    await mock.setChaos({ failure_rate: 0, malformed_rate: 0.05 });
    expect((await syncNow(t, admin)).result).toBe('success');

    const metrics = await scrape();
    const runs = (await t.api.get('/api/sync/runs?limit=100', { token: admin.token })).body
      .runs as Array<{ result: string; inserted: number; quarantined: number }>;
    const runsOf = (result: string) => runs.filter((r) => r.result === result).length;

    const syncRuns = metrics.get('vigil_sync_runs_total');
    expect(syncRuns?.type).toBe('COUNTER');
    expect(value(syncRuns, { result: 'success' })).toBe(runsOf('success'));
    expect(value(syncRuns, { result: 'failed' })).toBe(runsOf('failed'));
    expect(Number(metrics.get('vigil_sync_duration_seconds')?.metrics[0].count)).toBe(runs.length);

    const ingested = metrics.get('vigil_alerts_ingested_total')!;
    const bySource = ingested.metrics.reduce((n, m) => n + Number(m.value), 0);
    expect(bySource).toBe(runs.reduce((n, r) => n + r.inserted, 0));
    expect(bySource).toBeGreaterThan(0);
    const { rows } = await t.db.query<{ source: string; n: number }>(
      'SELECT source, count(*)::int AS n FROM alerts GROUP BY source',
    );
    for (const row of rows) expect(value(ingested, { source: row.source })).toBe(row.n);
    expect(value(metrics.get('vigil_quarantined_records_total'))).toBe(
      runs.reduce((n, r) => n + r.quarantined, 0),
    );

    const upstream = metrics.get('vigil_upstream_responses_total')!;
    expect(value(upstream, { status_code: '200' })).toBeGreaterThan(0);
    // The failing sync: the first try and its one retry, both 500.
    expect(value(upstream, { status_code: '500' })).toBe(2);

    const lag = value(metrics.get('vigil_ingest_lag_seconds'));
    expect(lag).toBeGreaterThan(0);
    expect(value(metrics.get('vigil_sync_circuit_state'), { state: 'closed' })).toBe(1);
  });

  it('labels HTTP durations by route template and status, never by raw URL', async () => {
    const [alert] = (await t.db.query<{ id: string }>('SELECT id FROM alerts LIMIT 1')).rows;
    await t.api.get(`/api/alerts/${alert.id}`, { token: admin.token });
    await t.api.get(`/api/alerts/not-a-uuid`, { token: admin.token }); // 400, same template
    await t.api.get('/api/no/such/route/12345');

    const text = await scrapeText();
    const http = (parsePrometheusTextFormat(text) as Family[]).find(
      (f) => f.name === 'vigil_http_request_duration_seconds',
    )!;
    expect(http.type).toBe('HISTOGRAM');
    const series = histogramCounts(text, 'vigil_http_request_duration_seconds');
    const labels = series.map(({ count: _count, ...rest }) => rest);
    expect(labels).toContainEqual({ method: 'GET', route: '/api/alerts/:id', status_code: '200' });
    expect(labels).toContainEqual({ method: 'GET', route: '/api/alerts/:id', status_code: '400' });
    expect(labels).toContainEqual({ method: 'GET', route: 'unmatched', status_code: '404' });
    const byRoute = series.find((m) => m.route === '/api/alerts/:id' && m.status_code === '200')!;
    expect(Number(byRoute.count)).toBe(1);
    expect(labels.every((l) => !l.route.includes(alert.id) && !l.route.includes('12345'))).toBe(
      true,
    );
  });
});
