// Two ways around authentication limits that issue 12 found open: a client naming its own address
// in X-Forwarded-For to escape the per-address login limit (TRUST_PROXY), and access tokens that
// outlived the session they belonged to (logout, refresh-token reuse).
import { createHmac, randomInt } from 'node:crypto';
import type { ApiResponse } from './support/api-client.js';
import { expectProblem } from './support/problem.js';
import { startTestApp, TEST_JWT_SECRET, TestApp, TestUser } from './support/test-app.js';

const LOGIN_LIMIT_PER_IP = 20;

function randomAddress(): string {
  return `${randomInt(1, 224)}.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

/** 30 wrong logins, each for a different username (so only the per-address count can bite). */
async function wrongLogins(t: TestApp, forwardedFor: () => string): Promise<ApiResponse[]> {
  const responses: ApiResponse[] = [];
  for (let i = 0; i < 30; i++) {
    responses.push(
      await t.api.post('/api/auth/token', {
        body: { username: `guess-${randomInt(1e9)}`, password: 'not-the-password' },
        headers: { 'x-forwarded-for': forwardedFor() },
      }),
    );
  }
  return responses;
}

/** Some 401s (the per-address allowance, less what this address used before), then only 429s. */
function expectLimitedAfterAllowance(responses: ApiResponse[], usedBefore = 0): void {
  const statuses = responses.map((r) => r.status);
  const first429 = statuses.indexOf(429);
  expect(first429).toBe(LOGIN_LIMIT_PER_IP - usedBefore);
  expect(statuses.slice(0, first429).every((s) => s === 401)).toBe(true);
  expect(statuses.slice(first429).every((s) => s === 429)).toBe(true);
  expectProblem(responses[first429], 429);
  expect(Number(responses[first429].headers.get('retry-after'))).toBeGreaterThan(0);
}

const LOGIN_LIMITS = {
  LOGIN_LIMIT_PER_IP: String(LOGIN_LIMIT_PER_IP),
  LOGIN_LIMIT_PER_USERNAME: '10',
  LOGIN_WINDOW_SECONDS: '900',
};

describe('TRUST_PROXY=1: one proxy in front, which appends the client address (e2e)', () => {
  let t: TestApp;
  let bystander: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ ...LOGIN_LIMITS, TRUST_PROXY: '1' });
    await t.reset();
    bystander = await t.user('bystander', ['analyst']); // one login from 127.0.0.1
  });
  afterAll(() => t.close());

  it('takes the entry the proxy appended (here 127.0.0.1), so a spoofed leftmost entry escapes nothing', async () => {
    const responses = await wrongLogins(t, () => `${randomAddress()}, 127.0.0.1`);
    expectLimitedAfterAllowance(responses, 1);
  });

  it('counts each client the proxy names on its own: one limited client does not lock out another', async () => {
    const responses = await wrongLogins(t, () => `${randomAddress()}, 203.0.113.7`);
    expectLimitedAfterAllowance(responses);

    const elsewhere = await t.api.post('/api/auth/token', {
      body: { username: 'bystander', password: bystander.password },
      headers: { 'x-forwarded-for': `203.0.113.7, 198.51.100.9` },
    });
    expect(elsewhere.status).toBe(200);
  });
});

describe('TRUST_PROXY as a list of proxy addresses and CIDRs (e2e)', () => {
  let t: TestApp;
  let bystander: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ ...LOGIN_LIMITS, TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' });
    await t.reset();
    bystander = await t.user('bystander', ['analyst']);
  });
  afterAll(() => t.close());

  it('takes the first address that is not a trusted proxy, reading from the right', async () => {
    // Client 203.0.113.7 behind two trusted proxies (an edge in 10/8, then 127.0.0.1).
    const responses = await wrongLogins(
      t,
      () => `${randomAddress()}, 203.0.113.7, 10.${randomInt(256)}.${randomInt(256)}.1`,
    );
    expectLimitedAfterAllowance(responses);
  });

  it('is not fooled by a client that writes a trusted proxy address into the header itself', async () => {
    // The proxy at 127.0.0.1 appended 192.0.2.50; the client wrote "<random>, 127.0.0.1".
    const responses = await wrongLogins(t, () => `${randomAddress()}, 127.0.0.1, 192.0.2.50`);
    expectLimitedAfterAllowance(responses);

    const elsewhere = await t.api.post('/api/auth/token', {
      body: { username: 'bystander', password: bystander.password },
      headers: { 'x-forwarded-for': '192.0.2.50, 198.51.100.9' },
    });
    expect(elsewhere.status).toBe(200);
  });
});

describe('Revoked sessions (e2e)', () => {
  let t: TestApp;

  // The default AUTH_USER_CACHE_MS (1 s): a revocation must not wait for the cache.
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());
  beforeEach(() => t.reset());

  /** A second, independent session (refresh-token family) of the same user. */
  async function signInAgain(user: TestUser): Promise<{ token: string; refresh: string }> {
    const res = await t.api.post('/api/auth/token', {
      body: { username: user.username, password: user.password },
    });
    expect(res.status).toBe(200);
    return { token: res.body.access_token, refresh: res.body.refresh_token };
  }

  const me = (token: string) => t.api.get('/api/auth/me', { token });

  it('after logout, the session’s access token gets 401 at once; another session of the user keeps working', async () => {
    const alice = await t.user('alice', ['analyst']);
    const other = await signInAgain(alice);
    expect((await me(alice.token)).status).toBe(200); // the state is now cached

    const logout = await t.api.post('/api/auth/logout', {
      token: alice.token,
      body: { refresh_token: alice.refresh },
    });
    expect(logout.status).toBe(204);

    expectProblem(await me(alice.token), 401);
    expect((await me(other.token)).status).toBe(200);
    const refreshed = await t.api.post('/api/auth/refresh', {
      body: { refresh_token: other.refresh },
    });
    expect(refreshed.status).toBe(200);
    expect((await me(refreshed.body.access_token)).status).toBe(200);
  });

  it('after refresh-token reuse, every access token of that family gets 401 at once; another session keeps working', async () => {
    const bob = await t.user('bob', ['analyst']);
    const other = await signInAgain(bob);
    const rotated = await t.api.post('/api/auth/refresh', { body: { refresh_token: bob.refresh } });
    expect(rotated.status).toBe(200);
    const current = rotated.body.access_token as string;
    expect((await me(current)).status).toBe(200);
    expect((await me(bob.token)).status).toBe(200);

    // The old refresh token presented again: a thief or a confused client; the family is revoked.
    const replay = await t.api.post('/api/auth/refresh', { body: { refresh_token: bob.refresh } });
    expectProblem(replay, 401);

    expectProblem(await me(current), 401);
    expectProblem(await me(bob.token), 401);
    expectProblem(
      await t.api.post('/api/auth/refresh', {
        body: { refresh_token: rotated.body.refresh_token },
      }),
      401,
    );
    expect((await me(other.token)).status).toBe(200);
  });

  it('refuses a correctly signed access token that names no session (it could not be revoked)', async () => {
    const carol = await t.user('carol', ['analyst']);
    const claims = JSON.parse(Buffer.from(carol.token.split('.')[1], 'base64url').toString());
    expect(claims.sid).toEqual(expect.any(String));
    delete claims.sid;
    const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}`;
    const signature = createHmac('sha256', TEST_JWT_SECRET).update(unsigned).digest('base64url');

    expectProblem(await me(`${unsigned}.${signature}`), 401);
    expect((await me(carol.token)).status).toBe(200);
  });
});
