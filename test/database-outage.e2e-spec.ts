// Losing PostgreSQL in the middle of a sync (issue 6): the service stays up, reports `down`
// (503), reconnects by itself when the database returns, and the next sync ends with the exact
// count — nothing lost, nothing doubled, no restart.
import { backlogIds } from '../mock-api/alert-generator.js';
import { DatabaseRelay } from './support/database-relay.js';
import { MockUpstream, startMockUpstream } from './support/mock-upstream.js';
import { expectProblem } from './support/problem.js';
import { quarantineCount, storedExternalIds, syncNow, waitUntil } from './support/sync.js';
import { startTestApp, testDatabaseUrl, TestApp, TestUser } from './support/test-app.js';

const SEED = 7;
const N = 3_000;

describe('Database outage (e2e)', () => {
  let mock: MockUpstream;
  let relay: DatabaseRelay;
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    mock = await startMockUpstream({ MOCK_BACKLOG: String(N) });
    await mock.setChaos({ malformed_rate: 0.01, latency_ms: 60 });
    relay = new DatabaseRelay(new URL(testDatabaseUrl()));
    await relay.open();
    t = await startTestApp({
      DATABASE_URL: relay.url,
      UPSTREAM_URL: mock.url,
      SYNC_PAGE_SIZE: '100',
      DEFAULT_LOOKBACK_HOURS: '48',
    });
    await t.reset();
    admin = await t.user('admin', ['admin']);
  });
  afterAll(async () => {
    await relay.open().catch(() => undefined);
    await t.close();
    await relay.cut();
    await mock.close();
  });

  it('goes down (503) while cut off, back to ok when restored, and loses no alert', async () => {
    const started = await t.api.post('/api/sync', { token: admin.token });
    expect(started.status).toBe(202);
    await waitUntil('a few committed pages', async () => {
      const { rows } = await t.db.query<{ pages: number }>(
        'SELECT pages FROM sync_runs WHERE id = $1',
        [started.body.run_id],
      );
      return rows[0]?.pages >= 3 ? true : undefined;
    });

    await relay.cut();

    expect((await t.api.get('/health/live')).status).toBe(200);
    expect(expectProblem(await t.api.get('/health'), 503)).toMatchObject({
      health_status: 'down',
      db_connected: false,
    });
    expectProblem(await t.api.get('/health/ready'), 503);
    // The sync cannot commit another page; it fails rather than hangs.
    await waitUntil('the interrupted sync to give up', async () => {
      const res = await t.api.post('/api/sync', { token: admin.token });
      return res.status === 409 ? undefined : true;
    });

    await relay.open();

    await waitUntil('readiness to return', async () =>
      (await t.api.get('/health/ready')).status === 200 ? true : undefined,
    );
    await mock.setChaos({ latency_ms: 0 });
    const resumed = await syncNow(t, admin);
    expect(resumed.result).toBe('success');
    expect((await t.api.get('/health')).body).toMatchObject({ status: 'ok', db_connected: true });

    const expected = backlogIds(SEED, N, 0.01).sort();
    expect(await storedExternalIds(t)).toEqual(expected);
    expect(await quarantineCount(t)).toBe(N - expected.length);
    // The run cut off mid-way was closed as interrupted by the next one.
    const { rows } = await t.db.query<{ result: string }>(
      'SELECT result FROM sync_runs ORDER BY started_at',
    );
    expect(rows.map((r) => r.result)).toEqual(['interrupted', 'success']);
  });
});
