// Late arrivals end to end: the mock (in this process, on a clock the spec moves) hides a share of
// its alerts until late_seconds after their created_at. Ordinary syncs pass them by for good (they
// are older than the bookmark less SYNC_OVERLAP_SECONDS once they show up); one reconciliation
// run stores exactly those, counts them as late, and a second one finds nothing more.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { backlogIds, externalIdAt } from '../mock-api/alert-generator.js';
import { hiddenIndices } from '../mock-api/late-arrivals.js';
import { createMockServer, type MockServer } from '../mock-api/mock-server.js';
import { ApiClient } from './support/api-client.js';
import { expectProblem } from './support/problem.js';
import { storedExternalIds, syncNow, type Run } from './support/sync.js';
import { startTestApp, type TestApp, type TestUser } from './support/test-app.js';

// With this seed no late alert falls within SYNC_OVERLAP_SECONDS of the newest visible one (the
// first test checks that), so an ordinary sync cannot find any of them.
const SEED = 17;
const N = 3000;
const LATE = { late_rate: 0.1, late_seconds: 7200 };
const OVERLAP_MS = 300_000; // SYNC_OVERLAP_SECONDS' default
const MARGIN_MS = 60_000;

interface Family {
  name: string;
  type: string;
  metrics: Array<{ labels?: Record<string, string>; value?: string }>;
}

describe('Late arrivals and reconciliation (e2e)', () => {
  let mock: MockServer;
  let upstream: ApiClient;
  let t: TestApp;
  let admin: TestUser;
  // The mock's clock: frozen at its start-up, so what it hides cannot change while a sync runs
  // (alerts are 28.8 s apart; a moving clock could reveal one between computing and fetching).
  let clock: number;
  let hidden: number[];
  let visibleIds: string[];
  const allIds = backlogIds(SEED, N).sort();

  beforeAll(async () => {
    const startedAt = Date.now();
    clock = startedAt;
    mock = createMockServer({
      seed: SEED,
      backlog: N,
      ratePerMinute: 0,
      failureRate: 0,
      startedAt,
      now: () => clock,
    });
    const { url } = await mock.listen(0, '127.0.0.1');
    upstream = new ApiClient(url);
    const config = await upstream.put('/config', { body: LATE });
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject(LATE);

    hidden = hiddenIndices(SEED, mock.timeline, clock, LATE);
    const hiddenIds = new Set(hidden.map((i) => externalIdAt(SEED, i)));
    visibleIds = allIds.filter((id) => !hiddenIds.has(id));

    // SYNC_ENABLED is false in tests (serviceEnvironment): only the syncs below run.
    t = await startTestApp({
      UPSTREAM_URL: url,
      SYNC_PAGE_SIZE: '250',
      DEFAULT_LOOKBACK_HOURS: '48',
    });
    await t.reset();
    admin = await t.user('admin', ['admin']);
  });
  afterAll(async () => {
    await t?.close();
    await mock?.close();
  });

  async function metrics(): Promise<Map<string, Family>> {
    const res = await t.api.get('/metrics');
    expect(res.status).toBe(200);
    const families = parsePrometheusTextFormat(res.body as string) as Family[];
    return new Map(families.map((f) => [f.name, f]));
  }
  const value = (family: Family | undefined, labels: Record<string, string> = {}) =>
    Number(
      family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
        ?.value ?? 0,
    );

  /** Alerts created within the 24 h before the run ended: at least those it re-read. */
  const inWindow = (run: Run) =>
    N - mock.timeline.firstAtOrAfter(Date.parse(run.finished_at!) - 24 * 3_600_000, N);

  it('hides some of the backlog, none of it within the overlap of the newest visible alert', async () => {
    expect(hidden.length).toBeGreaterThan(10);
    expect(hidden.length).toBeLessThan(60);
    const stats = await upstream.get('/stats');
    expect(stats.body).toMatchObject({ late_pending: hidden.length, total_available_now: N });
    const newestVisible = Math.max(
      ...Array.from({ length: N }, (_, i) => i).filter((i) => !hidden.includes(i)),
    );
    const bookmark = mock.timeline.createdAt(newestVisible);
    for (const index of hidden)
      expect(mock.timeline.createdAt(index)).toBeLessThan(bookmark - OVERLAP_MS);
  });

  it('stores only the visible alerts in an ordinary sync', async () => {
    const run = await syncNow(t, admin);
    expect(run).toMatchObject({
      mode: 'incremental',
      result: 'success',
      fetched: N - hidden.length,
      inserted: N - hidden.length,
      late: 0,
      error: null,
    });
    expect(await storedExternalIds(t)).toEqual(visibleIds);
  });

  it('misses the late alerts in an ordinary sync once the upstream serves them', async () => {
    clock += LATE.late_seconds * 1000 + MARGIN_MS;
    expect(hiddenIndices(SEED, mock.timeline, clock, LATE)).toEqual([]);
    expect((await upstream.get('/stats')).body.late_pending).toBe(0);

    const run = await syncNow(t, admin);
    expect(run).toMatchObject({ mode: 'incremental', result: 'success', inserted: 0, late: 0 });
    expect(run.fetched).toBeGreaterThan(0); // the overlap was re-read, and it holds none of them
    expect(await storedExternalIds(t)).toEqual(visibleIds);
  });

  it('rejects an unknown mode with a problem and starts no run', async () => {
    const before = (await t.api.get('/api/sync/runs?limit=200', { token: admin.token })).body
      .runs as Run[];
    const res = await t.api.post('/api/sync', { token: admin.token, body: { mode: 'bogus' } });
    expectProblem(res, 400);
    const after = (await t.api.get('/api/sync/runs?limit=200', { token: admin.token })).body
      .runs as Run[];
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id));
  });

  it('stores exactly the late alerts in a reconciliation run and counts them as late', async () => {
    const run = await syncNow(t, admin, 'reconcile');
    expect(run).toMatchObject({
      mode: 'reconcile',
      result: 'success',
      inserted: hidden.length,
      late: hidden.length,
      quarantined: 0,
      future_dated: 0,
      error: null,
    });
    // It re-read the window (the last 24 h of the service's clock), not just the overlap.
    expect(run.fetched).toBeGreaterThan(N / 2);
    expect(run.fetched).toBeGreaterThanOrEqual(inWindow(run));
    expect(run.fetched).toBeLessThanOrEqual(N);
    expect(run.duplicates).toBe(run.fetched - run.inserted);
    expect(await storedExternalIds(t)).toEqual(allIds);

    const scraped = await metrics();
    expect(scraped.get('vigil_late_alerts_total')?.type).toBe('COUNTER');
    expect(value(scraped.get('vigil_late_alerts_total'))).toBe(hidden.length);
    expect(
      value(scraped.get('vigil_sync_runs_total'), { mode: 'reconcile', result: 'success' }),
    ).toBe(1);
  });

  it('finds nothing more in a second reconciliation', async () => {
    const run = await syncNow(t, admin, 'reconcile');
    expect(run).toMatchObject({ mode: 'reconcile', result: 'success', inserted: 0, late: 0 });
    expect(run.fetched).toBeGreaterThanOrEqual(inWindow(run));
    expect(run.duplicates).toBe(run.fetched);
    expect(await storedExternalIds(t)).toEqual(allIds);

    const scraped = await metrics();
    expect(value(scraped.get('vigil_late_alerts_total'))).toBe(hidden.length);
    expect(
      value(scraped.get('vigil_sync_runs_total'), { mode: 'reconcile', result: 'success' }),
    ).toBe(2);
  });
});
