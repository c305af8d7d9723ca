// The per-client limit on every route (THROTTLE_LIMIT per THROTTLE_TTL_SECONDS): one count per
// client address across all routes, checked before any token is, answered 429 problem+json with
// Retry-After; another address is not affected.
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
