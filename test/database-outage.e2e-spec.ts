// Losing PostgreSQL in the middle of a sync (issue 6): the service stays up, reports `down`
// (503), reconnects by itself when the database returns, and the next sync ends with the exact
// count — nothing lost, nothing doubled, no restart.
import { backlogIds } from '../mock-api/alert-generator.js';
import type { ApiResponse } from './support/api-client.js';
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

// Issue 12, row 7: an outage is ours, not the caller's. A valid token must not get 401 (the
// dashboard would sign its user out), nor a login 500: both get 503 with Retry-After.
describe('Database outage: authentication (e2e)', () => {
  let relay: DatabaseRelay;
  let t: TestApp;
  let alice: TestUser;

  beforeAll(async () => {
    relay = new DatabaseRelay(new URL(testDatabaseUrl()));
    await relay.open();
    // No user-state cache: every request asks the database, as one would after the cache expires.
    t = await startTestApp({
      DATABASE_URL: relay.url,
      SYNC_ENABLED: 'false',
      AUTH_USER_CACHE_MS: '0',
    });
    await t.reset();
    alice = await t.user('alice', ['analyst']);
  });
  afterAll(async () => {
    await relay.open().catch(() => undefined);
    await t.close();
    await relay.cut();
  });

  function expectUnavailable(res: ApiResponse): void {
    const problem = expectProblem(res, 503);
    expect(problem.type).toBe('urn:vigil:problem:database-unavailable');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    // Nothing about where the database is or how it failed.
    expect(JSON.stringify(problem)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|:\d{4,5}\b|terminated/);
  }

  it('answers 503 problem+json with Retry-After to a valid token, a login and a refresh; the same token works once it is back', async () => {
    expect((await t.api.get('/api/auth/me', { token: alice.token })).status).toBe(200);

    await relay.cut();

    expectUnavailable(await t.api.get('/api/auth/me', { token: alice.token }));
    expectUnavailable(await t.api.get('/api/alerts', { token: alice.token }));
    expectUnavailable(
      await t.api.post('/api/auth/token', {
        body: { username: 'alice', password: alice.password },
      }),
    );
    expectUnavailable(
      await t.api.post('/api/auth/refresh', { body: { refresh_token: alice.refresh } }),
    );
    // A token that is wrong on its face is still refused: 503 is not a blanket answer.
    expectProblem(await t.api.get('/api/auth/me', { token: `${alice.token}x` }), 401);

    await relay.open();

    await waitUntil('the database to answer again', async () =>
      (await t.api.get('/api/auth/me', { token: alice.token })).status === 200 ? true : undefined,
    );
    const login = await t.api.post('/api/auth/token', {
      body: { username: 'alice', password: alice.password },
    });
    expect(login.status).toBe(200);
  });
});
