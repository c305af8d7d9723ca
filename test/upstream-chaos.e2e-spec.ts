// GET/PUT /api/upstream/chaos: the mock upstream's chaos settings relayed by the service, against
// the real mock (a child process), and against upstreams that are not the mock or do not answer.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMockUpstream, type MockUpstream } from './support/mock-upstream.js';
import { expectProblem, problemFields } from './support/problem.js';
import { startTestApp, type TestApp, type TestUser } from './support/test-app.js';

const CALM = { failure_rate: 0, latency_ms: 0, rate_limit_rate: 0, malformed_rate: 0 };

async function waitForRun(t: TestApp, admin: TestUser, runId: string): Promise<any> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const res = await t.api.get('/api/sync/runs?limit=20', { token: admin.token });
    const run = res.body.runs.find((r: { id: string }) => r.id === runId);
    if (run && run.result !== 'running') return run;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${runId} did not finish`);
}

describe('Upstream chaos settings (e2e)', () => {
  describe('when the upstream is the mock', () => {
    let mock: MockUpstream;
    let t: TestApp;
    let admin: TestUser;
    let analyst: TestUser;

    beforeAll(async () => {
      mock = await startMockUpstream({ MOCK_BACKLOG: '50' });
      // The backlog spans the 24 h before the mock started: look back further than that.
      t = await startTestApp({
        UPSTREAM_URL: mock.url,
        UPSTREAM_RETRIES: '0',
        DEFAULT_LOOKBACK_HOURS: '48',
      });
    });
    afterAll(async () => {
      await t?.close();
      await mock?.close();
    });
    beforeEach(async () => {
      await t.reset();
      await mock.setChaos(CALM);
      admin = await t.user('admin', ['admin']);
      analyst = await t.user('ana', ['analyst']);
    });

    const mockSettings = async () => (await mock.api.get('/config')).body;

    it("answers the mock's six settings to an admin", async () => {
      await mock.setChaos({ failure_rate: 0.25, latency_ms: 10 });

      const res = await t.api.get('/api/upstream/chaos', { token: admin.token });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        failure_rate: 0.25,
        latency_ms: 10,
        rate_limit_rate: 0,
        malformed_rate: 0,
        late_rate: 0,
        late_seconds: 0,
      });
    });

    it('changes only the settings given and answers all six as the mock now has them', async () => {
      const res = await t.api.put('/api/upstream/chaos', {
        token: admin.token,
        body: { failure_rate: 1, latency_ms: 250 },
      });

      expect(res.status).toBe(200);
      const expected = {
        failure_rate: 1,
        latency_ms: 250,
        rate_limit_rate: 0,
        malformed_rate: 0,
        late_rate: 0,
        late_seconds: 0,
      };
      expect(res.body).toEqual(expected);
      expect(await mockSettings()).toEqual(expected);
    });

    it('makes the next sync fail while failure_rate is 1, and heals it at 0', async () => {
      await t.api.put('/api/upstream/chaos', { token: admin.token, body: { failure_rate: 1 } });
      const failed = await t.api.post('/api/sync', { token: admin.token });
      expect(await waitForRun(t, admin, failed.body.run_id)).toMatchObject({
        result: 'failed',
        error: expect.stringMatching(/HTTP 500/),
      });
      expect((await t.api.get('/health')).body).toMatchObject({ status: 'degraded' });

      await t.api.put('/api/upstream/chaos', { token: admin.token, body: { failure_rate: 0 } });
      const healed = await t.api.post('/api/sync', { token: admin.token });
      expect(await waitForRun(t, admin, healed.body.run_id)).toMatchObject({
        result: 'success',
        inserted: 50,
      });
      expect((await t.api.get('/health')).body).toMatchObject({ status: 'ok', last_error: null });
    });

    it("refuses values outside the mock's bounds, non-numbers and unknown fields, naming each, and changes nothing", async () => {
      await mock.setChaos({ failure_rate: 0.5 });
      const before = await mockSettings();

      const res = await t.api.put('/api/upstream/chaos', {
        token: admin.token,
        body: {
          failure_rate: 1.01,
          latency_ms: 2.5,
          rate_limit_rate: -0.1,
          malformed_rate: '0.5',
          panic: true,
        },
      });

      expectProblem(res, 400);
      expect(problemFields(res)).toEqual([
        'failure_rate',
        'latency_ms',
        'malformed_rate',
        'panic',
        'rate_limit_rate',
      ]);
      expect(
        (
          await t.api.put('/api/upstream/chaos', {
            token: admin.token,
            body: { latency_ms: 60_001 },
          })
        ).status,
      ).toBe(400);
      expect(await mockSettings()).toEqual(before);
    });

    it.each([
      ['GET', undefined],
      ['PUT', { failure_rate: 1 }],
    ])(
      '%s refuses analysts (403) and anonymous callers (401), and changes nothing',
      async (method, body) => {
        const before = await mockSettings();

        const asAnalyst = await t.api.call(method, '/api/upstream/chaos', {
          token: analyst.token,
          body,
        });
        const anonymous = await t.api.call(method, '/api/upstream/chaos', { body });

        expect(expectProblem(asAnalyst, 403).detail).toBe('Requires group: admin');
        expectProblem(anonymous, 401);
        expect(await mockSettings()).toEqual(before);
      },
    );
  });

  describe('when the upstream is not the mock', () => {
    /** What the fake upstream does with /config. */
    let mode: 'absent' | 'other' | 'error' | 'hang-up' = 'absent';
    let fake: Server;
    let t: TestApp;
    let admin: TestUser;
    let url: string;

    beforeAll(async () => {
      fake = createServer((req, res) => {
        const json = (status: number, body: unknown) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        if (req.url?.startsWith('/alerts')) return json(200, { alerts: [] });
        if (mode === 'other') return json(200, { retention_days: 30 });
        if (mode === 'error') return json(503, { error: 'maintenance' });
        if (mode === 'hang-up') return req.socket.destroy();
        return json(404, { error: 'no such route' });
      });
      await new Promise<void>((done) => fake.listen(0, '127.0.0.1', done));
      url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
      t = await startTestApp({ UPSTREAM_URL: url });
      await t.reset();
      admin = await t.user('admin', ['admin']);
    });
    afterAll(async () => {
      await t?.close();
      fake?.closeAllConnections();
      await new Promise((done) => fake?.close(done));
    });

    it.each([
      ['absent', 'answers 404'],
      ['other', 'answers 200 without them'],
    ] as const)('answers 409 upstream-not-mock when /config is %s (%s)', async (given, answer) => {
      mode = given;
      for (const [method, body] of [
        ['GET', undefined],
        ['PUT', { failure_rate: 0 }],
      ] as const) {
        const res = await t.api.call(method, '/api/upstream/chaos', { token: admin.token, body });

        const problem = expectProblem(res, 409);
        expect(problem.type).toBe('urn:vigil:problem:upstream-not-mock');
        expect(problem.detail).toContain(url);
        expect(problem.detail).toContain(
          `${method} /config answered ${answer.replace('answers ', '')}`,
        );
        expect(problem.detail).toMatch(/not the mock upstream/);
      }
    });

    it.each([
      ['error', 'answers 503'],
      ['hang-up', 'hangs up'],
    ] as const)(
      'answers 502 upstream-unreachable when the upstream %s (%s)',
      async (given, _how) => {
        mode = given;

        const problem = expectProblem(
          await t.api.get('/api/upstream/chaos', { token: admin.token }),
          502,
        );

        expect(problem.type).toBe('urn:vigil:problem:upstream-unreachable');
        expect(problem.detail).toContain(url);
        // A deliberate 502 is a warning with its reason, not an "unhandled" error.
        expect(t.output()).toMatch(/"level":40[^\n]*Answered 502: /);
        expect(t.output()).not.toMatch(/Unhandled error/);
      },
    );
  });
});
