// Graceful shutdown (issue 6): SIGTERM in the middle of a sync turns readiness 503 at once, lets
// requests and the current page finish, exits 0, and a restart ends with the exact count.
import { backlogIds } from '../mock-api/alert-generator.js';
import { MockUpstream, startMockUpstream } from './support/mock-upstream.js';
import { quarantineCount, storedExternalIds, syncNow, waitUntil } from './support/sync.js';
import { startTestApp } from './support/test-app.js';

const SEED = 7;
const N = 12_000;

describe('Graceful shutdown (e2e)', () => {
  let mock: MockUpstream;

  beforeAll(async () => {
    mock = await startMockUpstream({ MOCK_BACKLOG: String(N) });
    await mock.setChaos({ malformed_rate: 0.01, latency_ms: 80 });
  });
  afterAll(() => mock.close());

  it('on SIGTERM during a sync: ready 503 at once, serves in-flight work, exits 0; nothing lost', async () => {
    const env = {
      UPSTREAM_URL: mock.url,
      SYNC_PAGE_SIZE: '300',
      DEFAULT_LOOKBACK_HOURS: '48',
      SHUTDOWN_DRAIN_SECONDS: '2',
    };
    const first = await startTestApp(env);
    await first.reset();
    const admin = await first.user('admin', ['admin']);
    expect((await first.api.get('/health/ready')).status).toBe(200);
    const started = await first.api.post('/api/sync', { token: admin.token });
    expect(started.status).toBe(202);
    await waitUntil('a few committed pages', async () => {
      const { rows } = await first.db.query<{ pages: number }>(
        'SELECT pages FROM sync_runs WHERE id = $1',
        [started.body.run_id],
      );
      return rows[0]?.pages >= 3 ? true : undefined;
    });

    const exited = first.stop('SIGTERM');
    const signalledAt = Date.now();
    const ready = await first.api.get('/health/ready');
    expect(ready.status).toBe(503);

    expect(Date.now() - signalledAt).toBeLessThan(1000);
    // (That first answer may have begun before the signal landed; Terminus still says 503 then.)
    const again = await first.api.get('/health/ready');
    expect(again.body.details?.shutdown).toEqual({ status: 'down', message: 'shutting down' });
    // Still serving during the drain: a request made now is answered in full.
    const during = await first.api.get('/api/alerts?limit=5', { token: admin.token });
    expect(during.status).toBe(200);
    // A new sync is refused while stopping.
    expect((await first.api.post('/api/sync', { token: admin.token })).status).toBe(409);

    expect(await exited).toBe(0);
    expect(first.output()).not.toMatch(/did not finish within the grace period/);
    const { rows: runs } = await first.db.query<{ result: string; pages: number }>(
      'SELECT result, pages FROM sync_runs WHERE id = $1',
      [started.body.run_id],
    );
    expect(runs[0].result).toBe('interrupted');
    await first.db.end();

    await mock.setChaos({ latency_ms: 0 });
    const second = await startTestApp(env);
    try {
      const login = await second.api.post('/api/auth/token', {
        body: { username: 'admin', password: admin.password },
      });
      const resumed = await syncNow(second, { ...admin, token: login.body.access_token });
      expect(resumed.result).toBe('success');
      const expected = backlogIds(SEED, N, 0.01).sort();
      expect(await storedExternalIds(second)).toEqual(expected);
      expect(await quarantineCount(second)).toBe(N - expected.length);
    } finally {
      await second.close();
    }
  });
});
