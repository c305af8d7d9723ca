// Many replicas on one PostgreSQL (issue 6): three service processes share the store, the sync
// lock, the settings and the users' token state.
import { backlogIds } from '../mock-api/alert-generator.js';
import { MockUpstream, startMockUpstream } from './support/mock-upstream.js';
import { quarantineCount, storedExternalIds, waitUntil } from './support/sync.js';
import { resetDatabase, startTestApp, TestApp } from './support/test-app.js';

const SEED = 7;
const N = 4_000;
const MALFORMED = 0.02;

// Cross-process exclusion rests on pg_try_advisory_lock, which PGlite grants to every session
// (one backend): replicas need a PostgreSQL server (TEST_DATABASE_URL, as in .ci/run).
const onServer = process.env.TEST_DATABASE_EMBEDDED ? describe.skip : describe;

onServer('Three replicas on one PostgreSQL (e2e)', () => {
  let mock: MockUpstream;
  let replicas: TestApp[];
  let tokens: string[];
  let adminPassword: string;

  beforeAll(async () => {
    mock = await startMockUpstream({ MOCK_BACKLOG: String(N) });
    await mock.setChaos({ malformed_rate: MALFORMED, latency_ms: 30 });
    const env = {
      UPSTREAM_URL: mock.url,
      SYNC_ENABLED: 'true',
      SYNC_PAGE_SIZE: '200',
      DEFAULT_LOOKBACK_HOURS: '48',
    };
    // An empty store; the three start together and their start-up syncs contend for the lock.
    await resetDatabase();
    replicas = await Promise.all([startTestApp(env), startTestApp(env), startTestApp(env)]);
    adminPassword = (await replicas[0].user('admin', ['admin'])).password;
    tokens = await Promise.all(replicas.map((r) => signIn(r)));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await mock.close();
  });

  async function signIn(replica: TestApp): Promise<string> {
    const res = await replica.api.post('/api/auth/token', {
      body: { username: 'admin', password: adminPassword },
    });
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  }

  const idle = () =>
    waitUntil('every sync to finish', async () => {
      const { rows } = await replicas[0].db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM sync_runs WHERE result = 'running'`,
      );
      return rows[0].n === 0 ? true : undefined;
    });

  it('holds the exact count with syncs started on all three at once, never overlapping', async () => {
    const statuses: number[] = [];
    for (let round = 0; round < 12; round++) {
      const answers = await Promise.all(
        replicas.map((r, i) => r.api.post('/api/sync', { token: tokens[i] })),
      );
      statuses.push(...answers.map((a) => a.status));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(statuses.every((s) => s === 202 || s === 409)).toBe(true);
    expect(statuses.filter((s) => s === 409).length).toBeGreaterThan(0);
    await idle();
    // One more, after everything settled, so the last run starts from a finished bookmark.
    expect((await replicas[2].api.post('/api/sync', { token: tokens[2] })).status).toBe(202);
    await idle();

    const expected = backlogIds(SEED, N, MALFORMED).sort();
    expect(await storedExternalIds(replicas[1])).toEqual(expected);
    expect(await quarantineCount(replicas[1])).toBe(N - expected.length);

    const { rows: runs } = await replicas[0].db.query<{
      started_at: Date;
      finished_at: Date;
      result: string;
      inserted: number;
      quarantined: number;
    }>(
      'SELECT started_at, finished_at, result, inserted, quarantined FROM sync_runs ORDER BY started_at',
    );
    expect(runs.length).toBeGreaterThan(1);
    expect(runs.every((r) => r.result === 'success')).toBe(true);
    for (let i = 1; i < runs.length; i++) {
      expect(runs[i].started_at.getTime()).toBeGreaterThanOrEqual(
        runs[i - 1].finished_at.getTime(),
      );
    }
    expect(runs.reduce((n, r) => n + r.inserted + r.quarantined, 0)).toBe(N);
  });

  it('applies a config change on all three within 2 s', async () => {
    const before = await Promise.all(replicas.map((r) => r.api.get('/health')));
    const target = before[0].body.sync_interval_seconds === 45 ? 75 : 45;

    const put = await replicas[1].api.put('/api/config', {
      token: tokens[1],
      body: { sync_interval_seconds: target },
    });
    expect(put.status).toBe(200);
    const changedAt = Date.now();

    const seen = await Promise.all(
      replicas.map((replica, i) =>
        waitUntil(
          `replica ${i} to apply the interval`,
          async () => {
            const health = await replica.api.get('/health');
            return health.body.sync_interval_seconds === target ? Date.now() : undefined;
          },
          2_000,
        ),
      ),
    );
    expect(Math.max(...seen) - changedAt).toBeLessThanOrEqual(2_000);
  });

  it('rotates refresh tokens and deactivates users across replicas', async () => {
    const login = await replicas[0].api.post('/api/auth/token', {
      body: { username: 'admin', password: adminPassword },
    });
    const rotated = await replicas[1].api.post('/api/auth/refresh', {
      body: { refresh_token: login.body.refresh_token },
    });
    expect(rotated.status).toBe(200);
    // The rotated token is spent everywhere; replaying it on a third replica kills the family.
    const replay = await replicas[2].api.post('/api/auth/refresh', {
      body: { refresh_token: login.body.refresh_token },
    });
    expect(replay.status).toBe(401);
    const afterReplay = await replicas[0].api.post('/api/auth/refresh', {
      body: { refresh_token: rotated.body.refresh_token },
    });
    expect(afterReplay.status).toBe(401);

    // A user deactivated through one replica is refused by every replica at once.
    const analyst = await replicas[0].user('ana', ['analyst']);
    for (const replica of replicas) {
      expect((await replica.api.get('/api/auth/me', { token: analyst.token })).status).toBe(200);
    }
    const off = await replicas[2].api.patch(`/api/users/${analyst.id}`, {
      token: tokens[2],
      body: { is_active: false },
    });
    expect(off.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the principal cache's 1 s
    for (const replica of replicas) {
      expect((await replica.api.get('/api/auth/me', { token: analyst.token })).status).toBe(401);
    }
  });
});
