// The per-client limit on every route (THROTTLE_LIMIT per THROTTLE_TTL_SECONDS): one count per
// client address across all routes, checked before any token is, answered 429 problem+json with
// Retry-After; another address is not affected. And the login limit's per-username count, which a
// successful login clears (auth.e2e-spec.ts covers the limits themselves).
import type { ApiResponse } from './support/api-client.js';
import { expectProblem } from './support/problem.js';
import { startTestApp, TestApp } from './support/test-app.js';

const LIMIT = 5;

describe('Per-client rate limit (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // TRUST_PROXY=1: each request names its client in X-Forwarded-For, so the suite's own
    // readiness probes (from 127.0.0.1) do not count against the clients below.
    t = await startTestApp({
      THROTTLE_LIMIT: String(LIMIT),
      THROTTLE_TTL_SECONDS: '60',
      TRUST_PROXY: '1',
    });
  });
  afterAll(() => t.close());

  const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });

  it('counts one client across routes, refuses it before authentication, and leaves others alone', async () => {
    const client = from('203.0.113.20');
    const allowed: ApiResponse[] = [];
    for (let i = 0; i < LIMIT; i++) {
      allowed.push(await t.api.get(i % 2 ? '/api/alerts' : '/api/auth/me', client));
    }
    // Within the limit: the request reaches authentication (no token: 401).
    expect(allowed.map((r) => r.status)).toEqual(Array(LIMIT).fill(401));

    const refused = await t.api.get('/api/auth/me', client);
    const problem = expectProblem(refused, 429);
    expect(problem.type).toBe('urn:vigil:problem:rate-limited');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another route, still the same client: refused as well.
    expectProblem(await t.api.get('/api/alerts', client), 429);

    expect((await t.api.get('/api/auth/me', from('198.51.100.20'))).status).toBe(401);
  });
});

describe('Login limit per username (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ LOGIN_LIMIT_PER_USERNAME: '3', LOGIN_WINDOW_SECONDS: '900' });
    await t.reset();
  });
  afterAll(() => t.close());

  it('counts one user however the name is cased or padded, and starts over after a successful login', async () => {
    const alice = await t.user('alice', ['analyst']); // one successful login: the count is 0
    const attempt = (username: string, password = 'not-the-password') =>
      t.api.post('/api/auth/token', { body: { username, password } });

    expect((await attempt('Alice')).status).toBe(401);
    expect((await attempt('ALICE ')).status).toBe(401);
    expect((await attempt('alice', alice.password)).status).toBe(200); // third of three: clears it

    const statuses: number[] = [];
    for (const username of ['alice', ' Alice', 'aLiCe', 'alice']) {
      statuses.push((await attempt(username)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    // Now blocked for the window, the right password included.
    expectProblem(await attempt('alice', alice.password), 429);
  });
});
