// Every 4xx and 5xx leaves as RFC 9457 problem+json whose `instance` is the request path, and none
// carries a stack trace or SQL (expectProblem checks that on every body it sees).
import type { ApiResponse } from './support/api-client.js';
import { expectProblem, problemFields } from './support/problem.js';
import { startTestApp, TestApp, TestUser } from './support/test-app.js';

const MIB = 1024 * 1024;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** A JSON login body of exactly `bytes` bytes. */
function loginBodyOf(bytes: number): string {
  const frame = JSON.stringify({ username: '', password: 'x' }).length;
  return JSON.stringify({ username: 'a'.repeat(bytes - frame), password: 'x' });
}

describe('Error responses (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.reset();
    admin = await t.user('root', ['admin']);
    bob = await t.user('bob', ['analyst']);
  });

  describe('unknown routes and methods', () => {
    it.each(['/nope', '/api', '/api/nope', '/api/users/extra/segments', '/docs/nope.js'])(
      'answers GET %s with a 404 problem',
      async (path) => {
        const res = await t.api.get(path);
        expect(expectProblem(res, 404)).toMatchObject({ title: 'Not Found', instance: path });
      },
    );

    it('answers an unknown /api route with 404 whether or not a token comes with it', async () => {
      expectProblem(await t.api.get('/api/nope'), 404);
      expectProblem(await t.api.get('/api/nope', { token: admin.token }), 404);
    });

    // A path that exists under other methods: 405 naming them in Allow (RFC 9110), with a token
    // or without one (the routes are public knowledge: /docs-json lists them).
    it.each([
      ['DELETE', '/api/users', 'GET, HEAD, POST'],
      ['PUT', '/api/users', 'GET, HEAD, POST'],
      ['DELETE', `/api/users/${UNKNOWN_ID}`, 'PATCH'],
      ['GET', '/api/auth/token', 'POST'],
      ['PUT', '/api/auth/me', 'GET, HEAD'],
      ['POST', '/health', 'GET, HEAD'],
      ['DELETE', '/health/ready', 'GET, HEAD'],
      // (`stats` also fits PATCH /api/alerts/{id}, whose id check would then refuse it.)
      ['PUT', '/api/alerts/stats', 'GET, HEAD, PATCH'],

      ['DELETE', `/api/alerts/${UNKNOWN_ID}`, 'GET, HEAD, PATCH'],
    ])(
      'answers %s %s (a method the path does not serve) with 405 and Allow: %s',
      async (method, path, allow) => {
        for (const token of [admin.token, undefined]) {
          const res = await t.api.call(method, path, { token });
          expect(expectProblem(res, 405)).toMatchObject({
            instance: path,
            title: 'Method Not Allowed',
            detail: `${method} is not allowed on ${path}; it answers ${allow}`,
          });
          expect(res.headers.get('allow')).toBe(allow);
        }
      },
    );

    it('leaves the users table alone when DELETE is tried on a user', async () => {
      expectProblem(
        await t.api.call('DELETE', `/api/users/${bob.id}`, { token: admin.token }),
        405,
      );

      expect((await t.db.query('SELECT 1 FROM users WHERE id = $1', [bob.id])).rowCount).toBe(1);
    });
  });

  describe('request bodies', () => {
    it('answers malformed JSON with 400', async () => {
      const res = await t.api.post('/api/auth/token', {
        raw: '{"username": "root", ',
        headers: { 'content-type': 'application/json' },
      });
      expect(expectProblem(res, 400).detail).toMatch(/JSON/);
    });

    it('answers an empty body declared as JSON with 400', async () => {
      const res = await t.api.post('/api/users', {
        token: admin.token,
        raw: '',
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(res, 400);
    });

    it('refuses a prototype-polluting body with 400', async () => {
      const res = await t.api.post('/api/auth/token', {
        raw: '{"username":"root","password":"x","__proto__":{"admin":true}}',
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(res, 400);
    });

    it('refuses a deeply nested body with a 400 naming the body, not a stack overflow', async () => {
      const depth = 20_000;
      const res = await t.api.post('/api/users', {
        token: admin.token,
        raw: `{"username":"deep","password":"deep-password-1","groups":["analyst"],"x":${'['.repeat(depth)}${']'.repeat(depth)}}`,
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(res, 400);
      expect(problemFields(res)).toEqual(['body']);
      expect((await t.api.get('/health/live')).status).toBe(200);
    });

    it.each([
      'text/plain',
      'text/plain; charset=utf-8',

      'application/x-www-form-urlencoded',
      'application/xml',
    ])('answers a body of type %s with 415 and acts on nothing', async (contentType) => {
      const res = await t.api.post('/api/users', {
        token: admin.token,
        raw: 'username=mallory&password=mallory-password&groups=admin',
        headers: { 'content-type': contentType },
      });
      expectProblem(res, 415);
      expect((await t.db.query(`SELECT 1 FROM users WHERE username = 'mallory'`)).rowCount).toBe(0);
    });

    it('accepts JSON with a charset parameter', async () => {
      const res = await t.api.post('/api/auth/token', {
        raw: JSON.stringify({ username: 'bob', password: bob.password }),
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
      expect(res.status).toBe(200);
    });

    it('answers a body over 1 MiB with 413; a body of exactly 1 MiB is read', async () => {
      const headers = { 'content-type': 'application/json' };
      const atLimit = await t.api.post('/api/auth/token', { raw: loginBodyOf(MIB), headers });
      expect(problemFields(atLimit)).toEqual(['username']);
      expectProblem(atLimit, 400);

      const over = await t.api.post('/api/auth/token', { raw: loginBodyOf(MIB + 1), headers });
      expectProblem(over, 413);
    });

    describe.each<[string, string, (c: { admin: TestUser; bob: TestUser }) => object, string?]>([
      ['POST', '/api/auth/token', ({ bob }) => ({ username: 'bob', password: bob.password })],
      ['POST', '/api/auth/refresh', ({ bob }) => ({ refresh_token: bob.refresh })],
      ['POST', '/api/auth/logout', ({ bob }) => ({ refresh_token: bob.refresh }), 'bob'],
      [
        'POST',
        '/api/users',
        () => ({ username: 'mallory', password: 'mallory-password', groups: ['admin'] }),
        'admin',
      ],
      ['PATCH', '/api/users/{bob}', () => ({ groups: ['admin'] }), 'admin'],
    ])('%s %s', (method, template, validBody, as) => {
      const send = (body: unknown): Promise<ApiResponse> => {
        const caller = as === 'admin' ? admin : as === 'bob' ? bob : undefined;
        return t.api.call(method, template.replace('{bob}', bob.id), {
          token: caller?.token,
          body,
        });
      };
      // what a request that got through would have changed
      const untouched = async () => {
        expect(await t.db.query(`SELECT 1 FROM users WHERE username = 'mallory'`)).toMatchObject({
          rowCount: 0,
        });
        expect((await t.db.query('SELECT groups FROM users WHERE id = $1', [bob.id])).rows).toEqual(
          [{ groups: ['analyst'] }],
        );
        expect(
          (await t.api.post('/api/auth/refresh', { body: { refresh_token: bob.refresh } })).status,
        ).toBe(200);
      };

      it('rejects the valid body wrapped in a JSON array with 400', async () => {
        const res = await send([validBody({ admin, bob })]);
        expectProblem(res, 400);
        expect(res.body.access_token).toBeUndefined();
        await untouched();
      });

      it('rejects an unknown field with 400 naming exactly that field', async () => {
        const res = await send({ ...validBody({ admin, bob }), role: 'admin' });
        expectProblem(res, 400);
        expect(problemFields(res)).toEqual(['role']);
        await untouched();
      });
    });
  });

  describe('instance', () => {
    it.each<[string, number, () => Promise<ApiResponse>]>([
      ['/api/nope', 404, () => t.api.get('/api/nope?token=abc&x=1')],
      ['/api/auth/me', 401, () => t.api.get('/api/auth/me?access_token=abc')],
      ['/api/users', 403, () => t.api.get('/api/users?limit=5', { token: bob.token })],
      [
        '/api/users',
        400,
        () => t.api.post('/api/users?dry_run=1', { token: admin.token, body: {} }),
      ],
      [
        '/api/users',
        409,
        () =>
          t.api.post('/api/users?x=y', {
            token: admin.token,
            body: { username: 'BOB', password: 'another-password', groups: ['analyst'] },
          }),
      ],
      [
        `/api/users/${UNKNOWN_ID}`,
        404,
        () =>
          t.api.patch(`/api/users/${UNKNOWN_ID}?a=b`, {
            token: admin.token,
            body: { is_active: true },
          }),
      ],
      [
        '/api/auth/token',
        415,
        () =>
          t.api.post('/api/auth/token?x=1', {
            raw: 'hi',
            headers: { 'content-type': 'text/plain' },
          }),
      ],
      [
        '/api/auth/token',
        401,
        () =>
          t.api.post('/api/auth/token?next=/x', {
            body: { username: 'bob', password: 'wrong-password' },
          }),
      ],
    ])('is %s for a %i with a query string', async (path, status, request) => {
      expect(expectProblem(await request(), status).instance).toBe(path);
    });
  });

  describe('internal errors', () => {
    // A real database failure: the table a route reads is briefly renamed away.
    it.each([
      ['users', '/api/auth/token', () => ({ username: 'bob', password: bob.password })],
      ['refresh_tokens', '/api/auth/refresh', () => ({ refresh_token: bob.refresh })],
    ])('answers a failing query on %s with a bare 500 problem', async (table, path, body) => {
      await t.db.query(`ALTER TABLE ${table} RENAME TO ${table}_away`);
      let res: ApiResponse;
      try {
        res = await t.api.post(path, { body: body() });
      } finally {
        await t.db.query(`ALTER TABLE ${table}_away RENAME TO ${table}`);
      }

      expect(expectProblem(res, 500)).toEqual({
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        detail: 'An unexpected error occurred',
        instance: path,
      });
      expect(JSON.stringify(res.body)).not.toMatch(
        new RegExp(`${table}|relation|postgres|typeorm`, 'i'),
      );
      expect((await t.api.post(path, { body: body() })).status).toBe(200);
    });
  });
});
