// The ingestion guarantees of contract section 4, end to end: the real service against the real
// mock upstream over HTTP, checked in the database.
import { backlogIds } from '../mock-api/alert-generator.js';
import { startMockUpstream, MockUpstream } from './support/mock-upstream.js';
import {
  finishedRun,
  quarantineCount,
  storedExternalIds,
  syncNow,
  waitUntil,
} from './support/sync.js';
import { startTestApp, TestApp, TestUser } from './support/test-app.js';

const SEED = 7;

describe('Ingestion (e2e)', () => {
  describe('with a fixed seed, no arrivals and a backlog of N', () => {
    const N = 3000;
    const MALFORMED = 0.03;
    let mock: MockUpstream;
    let t: TestApp;
    let admin: TestUser;

    beforeAll(async () => {
      mock = await startMockUpstream({ MOCK_BACKLOG: String(N) });
      await mock.setChaos({ malformed_rate: MALFORMED });
      t = await startTestApp({
        UPSTREAM_URL: mock.url,
        SYNC_PAGE_SIZE: '250',
        DEFAULT_LOOKBACK_HOURS: '48',
      });
      await t.reset();
      admin = await t.user('admin', ['admin']);
    });
    afterAll(async () => {
      await t.close();
      await mock.close();
    });

    it('stores exactly the mock’s distinct valid alerts, quarantines the rest, and inserted + quarantined = N', async () => {
      const run = await syncNow(t, admin);
      expect(run).toMatchObject({ result: 'success', fetched: N, error: null });
      expect(run.inserted + run.quarantined).toBe(N);
      expect(run.pages).toBe(Math.ceil(N / 250));

      const expected = backlogIds(SEED, N, MALFORMED).sort();
      expect(expected.length).toBeLessThan(N); // the rate really produced bad records
      expect(await storedExternalIds(t)).toEqual(expected);
      expect(await quarantineCount(t)).toBe(N - expected.length);
      expect(run.quarantined).toBe(N - expected.length);

      const { rows } = await t.db.query<{ reason: string; raw: string; raw_bytes: number }>(
        'SELECT reason, raw, raw_bytes FROM quarantine',
      );
      for (const row of rows) {
        expect(row.reason).toMatch(/missing|must be|not a valid|not an ISO|blank|longer/);
        expect(JSON.parse(row.raw)).toEqual(expect.any(Object));
        expect(row.raw_bytes).toBe(Buffer.byteLength(row.raw));
      }
    });

    it('changes nothing on further syncs (the overlap refetches, dedup drops)', async () => {
      const before = await storedExternalIds(t);
      // Incremental: the next sync starts SYNC_OVERLAP_SECONDS (300) before the bookmark, so it
      // refetches exactly that window; every valid alert in it is a duplicate.
      const { rows } = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM alerts
         WHERE created_at >= (SELECT bookmark FROM sync_state) - interval '300 seconds'`,
      );
      const again = await syncNow(t, admin);
      expect(again).toMatchObject({ result: 'success', inserted: 0, quarantined: 0 });
      expect(again.fetched).toBeGreaterThan(0);
      expect(again.fetched).toBeLessThan(N / 10);
      expect(again.duplicates).toBe(rows[0].n);
      expect(await storedExternalIds(t)).toEqual(before);
      expect(await quarantineCount(t)).toBe(N - before.length);
    });

    it('serves the quarantine to admins with payload and reason', async () => {
      const res = await t.api.get('/api/sync/quarantine?limit=5', { token: admin.token });
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(await quarantineCount(t));
      expect(res.body.records).toHaveLength(5);
      expect(res.body.records[0]).toEqual({
        id: expect.any(String),
        run_id: expect.any(String),
        payload: expect.any(Object),
        raw: expect.any(String),
        size_bytes: expect.any(Number),
        truncated: false,
        reason: expect.any(String),
        received_at: expect.stringMatching(/Z$/),
      });
      const [first] = res.body.records;
      expect(first.payload).toEqual(JSON.parse(first.raw));
      expect(first.size_bytes).toBe(Buffer.byteLength(first.raw));
    });
  });

  describe('killed (SIGKILL) in the middle of a large sync', () => {
    const N = 20_000;
    let mock: MockUpstream;

    beforeAll(async () => {
      mock = await startMockUpstream({ MOCK_BACKLOG: String(N) });
      await mock.setChaos({ malformed_rate: 0.01, latency_ms: 60 });
    });
    afterAll(() => mock.close());

    it('loses nothing and doubles nothing after a restart', async () => {
      const env = { UPSTREAM_URL: mock.url, SYNC_PAGE_SIZE: '400', DEFAULT_LOOKBACK_HOURS: '48' };
      const first = await startTestApp(env);
      await first.reset();
      const admin = await first.user('admin', ['admin']);
      const started = await first.api.post('/api/sync', { token: admin.token });
      expect(started.status).toBe(202);
      await waitUntil('a few committed pages', async () => {
        const { rows } = await first.db.query<{ pages: number }>(
          'SELECT pages FROM sync_runs WHERE id = $1',
          [started.body.run_id],
        );
        return rows[0]?.pages >= 5 ? true : undefined;
      });
      expect(await first.stop('SIGKILL')).toBeNull();
      await first.db.end();

      const second = await startTestApp(env);
      try {
        const partial = (await storedExternalIds(second)).length;
        expect(partial).toBeGreaterThan(0);
        expect(partial).toBeLessThan(N * 0.9);
        await mock.setChaos({ latency_ms: 0 });
        const login = await second.api.post('/api/auth/token', {
          body: { username: 'admin', password: admin.password },
        });
        const token = login.body.access_token as string;
        const resumed = await syncNow(second, { ...admin, token });
        expect(resumed.result).toBe('success');

        const expected = backlogIds(SEED, N, 0.01).sort();
        expect(await storedExternalIds(second)).toEqual(expected);
        expect(await quarantineCount(second)).toBe(N - expected.length);
        // Every page committed its counters with its rows, so the runs add up exactly — the
        // killed one included, which the next sync marked interrupted.
        const { rows } = await second.db.query<{
          result: string;
          inserted: number;
          quarantined: number;
        }>('SELECT result, inserted, quarantined FROM sync_runs');
        expect(rows.map((r) => r.result).sort()).toEqual(['interrupted', 'success']);
        expect(rows.reduce((n, r) => n + r.inserted + r.quarantined, 0)).toBe(N);
      } finally {
        await second.close();
      }
    });
  });

  describe('when the upstream fails or throttles', () => {
    let mock: MockUpstream;
    let t: TestApp;
    let admin: TestUser;

    beforeAll(async () => {
      mock = await startMockUpstream({ MOCK_BACKLOG: '600' });
      t = await startTestApp({
        UPSTREAM_URL: mock.url,
        SYNC_PAGE_SIZE: '100',
        DEFAULT_LOOKBACK_HOURS: '48',
      });
      await t.reset();
      admin = await t.user('admin', ['admin']);
      expect((await syncNow(t, admin)).result).toBe('success');
    });
    afterAll(async () => {
      await t.close();
      await mock.close();
    });

    it('fails the sync at failure_rate 1.0, reports degraded with the error, and keeps serving stored alerts', async () => {
      await mock.setChaos({ failure_rate: 1 });
      const run = await syncNow(t, admin);
      expect(run.result).toBe('failed');
      expect(run.error).toMatch(/HTTP 500/);
      const health = await t.api.get('/health');
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({
        status: 'degraded',
        last_sync_status: 'failed',
        last_error: run.error,
      });
      const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM alerts');
      expect(rows[0].n).toBe(600);
      const list = await t.api.get('/api/alerts?limit=5', { token: admin.token });
      expect(list.status).toBe(200);
      expect(list.body.alerts).toHaveLength(5);
    });

    it('is ok again after failure_rate 0.0 and a manual sync', async () => {
      await mock.setChaos({ failure_rate: 0 });
      expect((await syncNow(t, admin)).result).toBe('success');
      expect((await t.api.get('/health')).body).toMatchObject({
        status: 'ok',
        last_sync_status: 'success',
        last_error: null,
      });
    });

    it('completes a sync at rate_limit_rate 0.5 by honouring Retry-After', async () => {
      // From the start of the backlog again, so the sync crosses every page under throttling.
      await t.db.query('UPDATE sync_state SET bookmark = NULL');
      await mock.setChaos({ rate_limit_rate: 0.5 });

      try {
        const run = await syncNow(t, admin);
        expect(run).toMatchObject({ result: 'success', fetched: 600 });
      } finally {
        await mock.setChaos({ rate_limit_rate: 0 });
      }
    });

    it('answers 409 to POST /api/sync while a sync runs', async () => {
      await mock.setChaos({ latency_ms: 500 });
      try {
        const first = await t.api.post('/api/sync', { token: admin.token });
        const second = await t.api.post('/api/sync', { token: admin.token });
        expect(first.status).toBe(202);
        expect(second.status).toBe(409);
        expect(second.headers.get('content-type')).toMatch(/problem\+json/);
        await finishedRun(t, admin, first.body.run_id);
      } finally {
        await mock.setChaos({ latency_ms: 0 });
      }
    });
  });

  describe('enrichment of synced alerts, and filtering on it', () => {
    let mock: MockUpstream;
    let t: TestApp;
    let admin: TestUser;
    let analyst: TestUser;

    beforeAll(async () => {
      mock = await startMockUpstream({ MOCK_BACKLOG: '1500' });
      t = await startTestApp({
        UPSTREAM_URL: mock.url,
        SYNC_PAGE_SIZE: '500',
        DEFAULT_LOOKBACK_HOURS: '48',
      });
      await t.reset();
      admin = await t.user('admin', ['admin']);
      analyst = await t.user('analyst', ['analyst']);
      for (const [network, user_name] of [
        ['10.0.1.0/24', 'bob'],
        ['10.1.0.0/16', 'carol'],
        ['192.168.1.0/24', 'dave'],
      ]) {
        const res = await t.api.post('/api/context/ip-users', {
          token: admin.token,
          body: { network, user_name },
        });
        expect(res.status).toBe(201);
      }
      expect((await syncNow(t, admin)).result).toBe('success');
    });
    afterAll(async () => {
      await t.close();
      await mock.close();
    });

    async function listAll(query: string): Promise<Array<Record<string, any>>> {
      const alerts: Array<Record<string, any>> = [];
      let cursor: string | null = null;
      do {
        const res = await t.api.get(
          `/api/alerts?limit=500&include=enrichment&${query}${cursor ? `&cursor=${cursor}` : ''}`,
          {
            token: analyst.token,
          },
        );
        expect(res.status).toBe(200);
        alerts.push(...res.body.alerts);
        cursor = res.body.next_cursor;
      } while (cursor);
      return alerts;
    }

    it('gives public destinations an ISO country, flags Tor exits, and maps internal sources to users', async () => {
      const all = await listAll('');
      expect(all).toHaveLength(1500);
      const publicDst = all.filter((a) => a.dst_ip && a.enrichment.geo?.dst?.scope === 'public');
      expect(publicDst.length).toBeGreaterThan(1000);
      const withCountry = publicDst.filter((a) => /^[A-Z]{2}$/.test(a.country ?? ''));
      expect(withCountry.length / publicDst.length).toBeGreaterThan(0.9);

      const tor = all.filter((a) => a.enrichment_type === 'tor_exit_node');
      expect(tor.length).toBeGreaterThan(50); // the mock sends ~10% of traffic to Tor exits
      for (const alert of tor)
        expect(alert.enrichment.tor.dst_listed || alert.enrichment.tor.src_listed).toBe(true);

      const expectedUser = (ip: string | null) =>
        ip?.startsWith('10.0.1.')
          ? 'bob'
          : ip?.startsWith('10.1.')
            ? 'carol'
            : ip?.startsWith('192.168.1.')
              ? 'dave'
              : null;
      for (const alert of all) expect(alert.user).toBe(expectedUser(alert.src_ip));
      expect(all.filter((a) => a.user).length).toBeGreaterThan(300);
    });

    it.each([
      ['country', (a: Record<string, any>) => a.country],
      ['user', (a: Record<string, any>) => a.user],
      ['enrichment_type', (a: Record<string, any>) => a.enrichment_type],
    ])('filters by %s to exactly the alerts carrying that value', async (param, valueOf) => {
      const all = await listAll('');
      const counts = new Map<string, number>();
      for (const alert of all) {
        const value = valueOf(alert);
        if (value) counts.set(value, (counts.get(value) ?? 0) + 1);
      }
      const values = [...counts.keys()];
      expect(values.length).toBeGreaterThan(1);
      for (const value of values.slice(0, 4)) {
        const filtered = await listAll(`${param}=${encodeURIComponent(value)}`);
        expect(filtered).toHaveLength(counts.get(value)!);
        expect(filtered.every((a) => valueOf(a) === value)).toBe(true);
      }
    });
  });

  // Mutual exclusion across processes rests on pg_try_advisory_lock, which PGlite grants to every
  // session (it has a single backend): replicas need a PostgreSQL server, so this runs only when
  // the suite has one (TEST_DATABASE_URL, as in .ci/run).
  const onServer = process.env.TEST_DATABASE_EMBEDDED ? describe.skip : describe;

  onServer('two service processes on one PostgreSQL server', () => {
    it('never run a sync at the same time', async () => {
      const mock = await startMockUpstream({ MOCK_BACKLOG: '1500' });
      await mock.setChaos({ latency_ms: 40 });
      const env = { UPSTREAM_URL: mock.url, SYNC_PAGE_SIZE: '100', DEFAULT_LOOKBACK_HOURS: '48' };
      const a = await startTestApp(env);
      await a.reset();
      const admin = await a.user('admin', ['admin']);
      const b = await startTestApp(env);
      try {
        const tokenB = (
          await b.api.post('/api/auth/token', {
            body: { username: 'admin', password: admin.password },
          })
        ).body.access_token as string;
        const statuses: number[] = [];
        const deadline = Date.now() + 8000;
        while (Date.now() < deadline) {
          const [ra, rb] = await Promise.all([
            a.api.post('/api/sync', { token: admin.token }),
            b.api.post('/api/sync', { token: tokenB }),
          ]);
          statuses.push(ra.status, rb.status);
          await new Promise((r) => setTimeout(r, 150));
        }
        expect(statuses.filter((s) => s === 202).length).toBeGreaterThan(1);
        expect(statuses.filter((s) => s === 409).length).toBeGreaterThan(1);
        expect(statuses.every((s) => s === 202 || s === 409)).toBe(true);

        await waitUntil('all runs to finish', async () => {
          const { rows } = await a.db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM sync_runs WHERE result = 'running'`,
          );
          return rows[0].n === 0 ? true : undefined;
        });
        const { rows: runs } = await a.db.query<{
          started_at: Date;
          finished_at: Date;
          host: string;
        }>('SELECT started_at, finished_at, host FROM sync_runs ORDER BY started_at');
        expect(new Set(runs.map((r) => r.host)).size).toBe(2); // both replicas took turns
        for (let i = 1; i < runs.length; i++) {
          expect(runs[i].started_at.getTime()).toBeGreaterThanOrEqual(
            runs[i - 1].finished_at.getTime(),
          );
        }
        expect(await storedExternalIds(a)).toEqual(backlogIds(SEED, 1500).sort());
      } finally {
        await b.close();
        await a.close();
        await mock.close();
      }
    });
  });
});
