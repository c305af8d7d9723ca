// The circuit breaker of scheduled syncs (issue 6): consecutive failures open it, scheduled ticks
// are then skipped (and counted) while POST /api/sync still runs, and a success closes it.
import { MockUpstream, startMockUpstream } from './support/mock-upstream.js';
import { syncNow, waitUntil } from './support/sync.js';
import { startTestApp, TestApp, TestUser } from './support/test-app.js';

describe('Sync circuit breaker (e2e)', () => {
  let mock: MockUpstream;
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    mock = await startMockUpstream({ MOCK_BACKLOG: '50' });
    await mock.setChaos({ failure_rate: 1 });
    t = await startTestApp({
      UPSTREAM_URL: mock.url,
      UPSTREAM_RETRIES: '0',
      SYNC_ENABLED: 'true',
      SYNC_INTERVAL_SECONDS: '10',
      SYNC_CIRCUIT_FAILURES: '2',
      SYNC_CIRCUIT_COOLDOWN_SECONDS: '600',
      DEFAULT_LOOKBACK_HOURS: '48',
    });
    await t.reset();
    admin = await t.user('admin', ['admin']);
  });
  afterAll(async () => {
    await t.close();
    await mock.close();
  });

  const circuit = async () => (await t.api.get('/health')).body.sync_circuit;
  const runCount = async () =>
    Number((await t.db.query('SELECT count(*) AS n FROM sync_runs')).rows[0].n);

  it('opens after consecutive failures, skips scheduled ticks, still syncs on demand, closes on success', async () => {
    expect((await syncNow(t, admin)).result).toBe('failed');
    expect(await circuit()).toMatchObject({ state: 'closed', consecutive_failures: 1 });
    expect((await syncNow(t, admin)).result).toBe('failed');

    const open = await circuit();
    expect(open).toMatchObject({ state: 'open', consecutive_failures: 2 });
    expect(Date.parse(open.retry_at) - Date.now()).toBeGreaterThan(500_000);

    // The next scheduled tick (every 10 s) is skipped: counted, and no run is started.
    const runs = await runCount();
    await waitUntil(
      'a scheduled tick to be skipped',
      async () => ((await circuit()).skipped_ticks >= 1 ? true : undefined),
      15_000,
    );
    expect(await runCount()).toBe(runs);
    expect((await t.api.get('/health')).body.status).toBe('degraded');

    // An operator's sync runs regardless; once it succeeds the circuit closes.
    await mock.setChaos({ failure_rate: 0 });
    expect((await syncNow(t, admin)).result).toBe('success');
    expect(await circuit()).toMatchObject({
      state: 'closed',
      consecutive_failures: 0,
      retry_at: null,
    });
    expect((await t.api.get('/health')).body.status).toBe('ok');
  });
});
