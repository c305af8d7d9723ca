import { createHmac } from 'node:crypto';
import type { ApiResponse } from './support/api-client.js';
import { expectProblem } from './support/problem.js';
import { startTestApp, TEST_JWT_SECRET, TestApp } from './support/test-app.js';

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
function sign(header: object, payload: object, secret = TEST_JWT_SECRET): string {
  const unsigned = `${b64url(header)}.${b64url(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
}

describe('Authentication (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());
  beforeEach(() => t.reset());

  describe('POST /api/auth/token', () => {
    it('returns a bearer pair whose access token works on /api/auth/me', async () => {
      await t.user('alice', ['analyst'], 'correct-horse-battery');
      const res = await t.api.post('/api/auth/token', {
        body: { username: 'Alice', password: 'correct-horse-battery' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 900,
      });
      const me = await t.api.get('/api/auth/me', { token: res.body.access_token });
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ id: expect.any(String), username: 'alice', groups: ['analyst'] });
    });

    it('answers an unknown user and a wrong password with the same 401 body', async () => {
      await t.user('bob', ['analyst']);
      const wrong = await t.api.post('/api/auth/token', {
        body: { username: 'bob', password: 'not-the-password' },
      });
      const unknown = await t.api.post('/api/auth/token', {
        body: { username: 'nobody', password: 'not-the-password' },
      });
      expectProblem(wrong, 401);
      expectProblem(unknown, 401);
      expect(wrong.body).toEqual(unknown.body);
    });

    it('refuses a deactivated user with the same 401', async () => {
      const bob = await t.user('bob', ['analyst']);
      await t.user('root', ['admin']);
      const admin = await t.api.post('/api/auth/token', {
        body: { username: 'root', password: 'pw-root-0123456789' },
      });
      expect(
        (
          await t.api.patch(`/api/users/${bob.id}`, {
            token: admin.body.access_token,
            body: { is_active: false },
          })
        ).status,
      ).toBe(200);
      const res = await t.api.post('/api/auth/token', {
        body: { username: 'bob', password: bob.password },
      });
      expectProblem(res, 401);
    });

    it.each([
      [{}, ['password', 'username']],
      [{ username: 'a', password: 5 }, ['password']],
      [{ username: '', password: 'x' }, ['username']],
      [{ username: 'a'.repeat(65), password: 'x' }, ['username']],
      [{ username: 'a', password: 'x'.repeat(257) }, ['password']],
      [{ username: 'a', password: 'x', role: 'admin' }, ['role']],
    ])('rejects body %j naming %j', async (body, fields) => {
      const res = await t.api.post('/api/auth/token', { body });
      expectProblem(res, 400);
      expect([...new Set(res.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual(
        fields,
      );
    });
  });

  describe('bearer tokens', () => {
    it.each<[string, (valid: string) => string | undefined]>([
      ['no token', () => undefined],
      ['a malformed token', () => 'not-a-jwt'],
      [
        'a tampered payload',
        (valid) => {
          const [h, , s] = valid.split('.');
          return `${h}.${b64url({ ...claimsOf(valid), sub: '00000000-0000-4000-8000-000000000000' })}.${s}`;
        },
      ],
      ['alg none', (valid) => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claimsOf(valid))}.`],
      [
        'another secret',
        (valid) =>
          sign(
            { alg: 'HS256', typ: 'JWT' },
            claimsOf(valid),
            'some-other-secret-that-is-also-long-enough',
          ),
      ],
      [
        'an expired token',
        (valid) =>
          sign({ alg: 'HS256', typ: 'JWT' }, { ...claimsOf(valid), iat: 1_000, exp: 2_000 }),
      ],
      [
        'a wrong audience',
        (valid) => sign({ alg: 'HS256', typ: 'JWT' }, { ...claimsOf(valid), aud: 'elsewhere' }),
      ],
      [
        'an HS512 token',
        (valid) => {
          const unsigned = `${b64url({ alg: 'HS512', typ: 'JWT' })}.${b64url(claimsOf(valid))}`;
          return `${unsigned}.${createHmac('sha512', TEST_JWT_SECRET).update(unsigned).digest('base64url')}`;
        },
      ],
    ])('answers %s with 401', async (_, forge) => {
      const { token } = await t.user('carol', ['admin']);
      // the forged token is built from a real one, so only the forged part can make it fail
      expect(
        (
          await t.api.get('/api/auth/me', {
            token: sign({ alg: 'HS256', typ: 'JWT' }, claimsOf(token)),
          })
        ).status,
      ).toBe(200);
      const res = await t.api.get('/api/auth/me', { token: forge(token) });
      expectProblem(res, 401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    it("stops a deactivated user's still-valid access token at once", async () => {
      const admin = await t.user('root', ['admin']);
      const dave = await t.user('dave', ['analyst']);
      expect((await t.api.get('/api/auth/me', { token: dave.token })).status).toBe(200);
      await t.api.patch(`/api/users/${dave.id}`, {
        token: admin.token,
        body: { is_active: false },
      });
      expectProblem(await t.api.get('/api/auth/me', { token: dave.token }), 401);
      expectProblem(
        await t.api.post('/api/auth/refresh', { body: { refresh_token: dave.refresh } }),
        401,
      );
      // reactivation does not revive the old tokens
      await t.api.patch(`/api/users/${dave.id}`, { token: admin.token, body: { is_active: true } });
      expectProblem(await t.api.get('/api/auth/me', { token: dave.token }), 401);
    });

    it('voids tokens when the password changes and applies group changes at once', async () => {
      const admin = await t.user('root', ['admin']);
      const erin = await t.user('erin', ['admin']);
      await t.api.patch(`/api/users/${erin.id}`, {
        token: admin.token,
        body: { groups: ['analyst'] },
      });
      expect((await t.api.get('/api/auth/me', { token: erin.token })).body.groups).toEqual([
        'analyst',
      ]);
      expectProblem(await t.api.get('/api/users', { token: erin.token }), 403);
      await t.api.patch(`/api/users/${erin.id}`, {
        token: admin.token,
        body: { password: 'a-brand-new-password' },
      });
      expectProblem(await t.api.get('/api/auth/me', { token: erin.token }), 401);
    });
  });

  describe('refresh tokens', () => {
    it('rotates: the new pair works, the old refresh token does not', async () => {
      const frank = await t.user('frank', ['analyst']);
      const first = await t.api.post('/api/auth/refresh', {
        body: { refresh_token: frank.refresh },
      });
      expect(first.status).toBe(200);
      expect(first.body.refresh_token).not.toBe(frank.refresh);
      expect((await t.api.get('/api/auth/me', { token: first.body.access_token })).status).toBe(
        200,
      );
      const second = await t.api.post('/api/auth/refresh', {
        body: { refresh_token: first.body.refresh_token },
      });
      expect(second.status).toBe(200);
    });

    it('treats reuse of a rotated token as theft: 401 and the whole family is revoked', async () => {
      const gina = await t.user('gina', ['analyst']);
      const rotated = await t.api.post('/api/auth/refresh', {
        body: { refresh_token: gina.refresh },
      });
      expect(rotated.status).toBe(200);
      expectProblem(
        await t.api.post('/api/auth/refresh', { body: { refresh_token: gina.refresh } }),
        401,
      );
      // the legitimate holder's newer token died with its family
      expectProblem(
        await t.api.post('/api/auth/refresh', {
          body: { refresh_token: rotated.body.refresh_token },
        }),
        401,
      );
      // other sessions of the same user are untouched
      const other = await t.api.post('/api/auth/token', {
        body: { username: 'gina', password: gina.password },
      });
      expect(
        (
          await t.api.post('/api/auth/refresh', {
            body: { refresh_token: other.body.refresh_token },
          })
        ).status,
      ).toBe(200);
    });

    it('lets exactly one of two concurrent refreshes with one token win', async () => {
      const hank = await t.user('hank', ['analyst']);
      const results = await Promise.all(
        [1, 2].map(() =>
          t.api.post('/api/auth/refresh', { body: { refresh_token: hank.refresh } }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    });

    it('rejects an unknown token and bad bodies', async () => {
      expectProblem(
        await t.api.post('/api/auth/refresh', { body: { refresh_token: 'made-up' } }),
        401,
      );
      expect(
        expectProblem(await t.api.post('/api/auth/refresh', { body: {} }), 400).errors[0].field,
      ).toBe('refresh_token');
      expect(
        expectProblem(await t.api.post('/api/auth/refresh', { body: { refresh_token: 7 } }), 400)
          .errors[0].field,
      ).toBe('refresh_token');
    });

    it('logout revokes the refresh token and answers 204; it needs an access token', async () => {
      const ivy = await t.user('ivy', ['analyst']);
      expectProblem(
        await t.api.post('/api/auth/logout', { body: { refresh_token: ivy.refresh } }),
        401,
      );
      const out = await t.api.post('/api/auth/logout', {
        token: ivy.token,
        body: { refresh_token: ivy.refresh },
      });
      expect(out.status).toBe(204);
      expectProblem(
        await t.api.post('/api/auth/refresh', { body: { refresh_token: ivy.refresh } }),
        401,
      );
    });

    it("cannot log out somebody else's session", async () => {
      const jack = await t.user('jack', ['analyst']);
      const kate = await t.user('kate', ['analyst']);
      expect(
        (
          await t.api.post('/api/auth/logout', {
            token: kate.token,
            body: { refresh_token: jack.refresh },
          })
        ).status,
      ).toBe(204);
      expect(
        (await t.api.post('/api/auth/refresh', { body: { refresh_token: jack.refresh } })).status,
      ).toBe(200);
    });
  });
});

describe('Login throttling (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      LOGIN_LIMIT_PER_IP: '20',
      LOGIN_LIMIT_PER_USERNAME: '10',
      LOGIN_WINDOW_SECONDS: '900',
      TRUST_PROXY: '1',
    });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After before the 30th wrong password; others still sign in from another address', async () => {
    await t.user('victim', ['analyst']);
    const other = await t.user('bystander', ['analyst']);
    const statuses: number[] = [];
    const responses: ApiResponse[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await t.api.post('/api/auth/token', {
        body: { username: 'victim', password: `guess-${i}` },
        headers: { 'x-forwarded-for': '203.0.113.7' },
      });
      statuses.push(res.status);
      responses.push(res);
    }
    const first429 = statuses.indexOf(429);
    expect(first429).toBeGreaterThan(0);
    expect(first429).toBeLessThan(29);
    expect(statuses.slice(0, first429).every((s) => s === 401)).toBe(true);
    expectProblem(responses[first429], 429);
    expect(Number(responses[first429].headers.get('retry-after'))).toBeGreaterThan(0);

    const elsewhere = await t.api.post('/api/auth/token', {
      body: { username: 'bystander', password: other.password },
      headers: { 'x-forwarded-for': '198.51.100.9' },
    });
    expect(elsewhere.status).toBe(200);
  });

  it('limits one address trying many usernames', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const res = await t.api.post('/api/auth/token', {
        body: { username: `user${i}`, password: 'x' },
        headers: { 'x-forwarded-for': '192.0.2.44' },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
  });
});
