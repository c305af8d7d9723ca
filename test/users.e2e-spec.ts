import { expectProblem, problemFields } from './support/problem.js';
import { startTestApp, TestApp, TestUser } from './support/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const VALID = { username: 'alice', password: 'correct-horse-battery', groups: ['analyst'] };

interface UserBody {
  id: string;
  username: string;
  groups: string[];
}
interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  groups: string[];
  is_active: boolean;
  token_version: number;
  created_at: Date;
  updated_at: Date;
}

function userShape(username: string, groups: string[], isActive = true) {
  return {
    id: expect.stringMatching(UUID),
    username,
    groups,
    is_active: isActive,
    created_at: expect.stringMatching(ISO_UTC),
    updated_at: expect.stringMatching(ISO_UTC),
  };
}

describe('Users API (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.reset();
    admin = await t.user('root', ['admin']);
  });

  const list = () => t.api.get('/api/users', { token: admin.token });
  const create = (body: unknown) => t.api.post('/api/users', { token: admin.token, body });
  const update = (id: string, body: unknown) =>
    t.api.patch(`/api/users/${id}`, { token: admin.token, body });
  const login = (username: string, password: string) =>
    t.api.post('/api/auth/token', { body: { username, password } });
  const row = async (id: string) =>
    (await t.db.query<UserRow>('SELECT * FROM users WHERE id = $1', [id])).rows[0];
  const listed = async () => (await list()).body.users as UserBody[];

  describe('GET /api/users', () => {
    it('lists every user by username, with exactly the public fields', async () => {
      await t.user('bob', ['analyst']);
      await t.user('carol', ['admin', 'analyst']);

      const res = await list();

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        users: [
          userShape('bob', ['analyst']),
          userShape('carol', ['admin', 'analyst']),
          userShape('root', ['admin']),
        ],
      });
    });

    it('never sends a password or its hash', async () => {
      await t.api.post('/api/users', { token: admin.token, body: VALID });
      const res = await list();
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toMatch(/password|argon2|\$argon/i);
    });
  });

  describe('POST /api/users', () => {
    it('creates the user (201), stores the username lower-case and lists it', async () => {
      const res = await create({ ...VALID, username: 'Alice.Smith_2-x' });

      expect(res.status).toBe(201);
      expect(res.body).toEqual(userShape('alice.smith_2-x', ['analyst']));
      expect(res.body.created_at).toBe(res.body.updated_at);
      expect(JSON.stringify(res.body)).not.toMatch(/password|argon2/i);
      expect((await listed()).map((u) => u.id)).toContain(res.body.id);
      expect(await row(res.body.id)).toMatchObject({
        username: 'alice.smith_2-x',
        password_hash: expect.stringMatching(/^\$argon2id\$/),
      });
    });

    it('stores each group once, sorted', async () => {
      const res = await create({ ...VALID, groups: ['analyst', 'admin'] });
      expect(res.status).toBe(201);
      expect(res.body.groups).toEqual(['admin', 'analyst']);
    });

    it('creates a user who can sign in with any case of the username', async () => {
      const created = await create({ ...VALID, username: 'Alice', groups: ['admin'] });
      expect(created.status).toBe(201);

      const res = await login('ALICE', VALID.password);

      expect(res.status).toBe(200);
      const me = await t.api.get('/api/auth/me', { token: res.body.access_token });
      expect(me.body).toEqual({ id: created.body.id, username: 'alice', groups: ['admin'] });
    });

    it.each([
      ['3 characters', 'abc'],
      ['64 characters', 'a'.repeat(64)],
    ])('accepts a username of %s', async (_, username) => {
      expect((await create({ ...VALID, username })).status).toBe(201);
    });

    it.each([
      ['12 characters', 'k8#Tq2!vLm9z'],
      ['256 characters', 'k8#Tq2!vLm9z'.repeat(22).slice(0, 256)],
    ])('accepts a password of %s', async (_, password) => {
      const res = await create({ ...VALID, password });
      expect(res.status).toBe(201);
      expect((await login(VALID.username, password)).status).toBe(200);
    });

    it.each([
      ['the same username', 'alice'],
      ['the username in another case', 'ALICE'],
    ])('answers 409 for %s and keeps the first user', async (_, username) => {
      const first = await create(VALID);
      expect(first.status).toBe(201);

      const res = await create({ ...VALID, username, password: 'another-password' });

      expect(expectProblem(res, 409).detail).toMatch(/alice/);
      const { rows } = await t.db.query('SELECT id FROM users WHERE username = $1', ['alice']);
      expect(rows).toEqual([{ id: first.body.id }]);
      expect((await login('alice', VALID.password)).status).toBe(200);
    });

    const without = (field: keyof typeof VALID) =>
      Object.fromEntries(Object.entries(VALID).filter(([name]) => name !== field));
    it.each<[string, string, unknown]>([
      ['username', 'missing', without('username')],
      ['username', 'not a string', { ...VALID, username: 12345 }],
      ['username', 'null', { ...VALID, username: null }],
      ['username', 'shorter than 3', { ...VALID, username: 'ab' }],
      ['username', 'with a space', { ...VALID, username: 'al ice' }],
      ['username', 'with a symbol', { ...VALID, username: 'alice!' }],
      ['username', 'with a non-ASCII letter', { ...VALID, username: 'alicé' }],
      ['username', 'longer than 64', { ...VALID, username: 'a'.repeat(65) }],
      ['password', 'missing', without('password')],
      ['password', 'not a string', { ...VALID, password: 123456789012 }],
      ['password', 'shorter than 12', { ...VALID, password: 'x'.repeat(11) }],
      ['password', 'longer than 256', { ...VALID, password: 'x'.repeat(257) }],
      ['groups', 'missing', without('groups')],
      ['groups', 'not an array', { ...VALID, groups: 'analyst' }],
      ['groups', 'empty', { ...VALID, groups: [] }],
      ['groups', 'an unknown group', { ...VALID, groups: ['root'] }],
      ['groups', 'a known and an unknown group', { ...VALID, groups: ['analyst', 'superuser'] }],
      ['groups', 'a non-string item', { ...VALID, groups: [1] }],
      ['is_admin', 'an unknown extra field', { ...VALID, is_admin: true }],
      ['id', 'a client-chosen id', { ...VALID, id: '11111111-1111-4111-8111-111111111111' }],
    ])('answers 400 naming only %s when it is %s, and creates nothing', async (field, _, body) => {
      const res = await create(body);

      expectProblem(res, 400);
      expect(problemFields(res)).toEqual([field]);
      for (const error of res.body.errors as Array<{ message: string }>) {
        expect(error.message).not.toBe('');
      }
      expect((await t.db.query('SELECT username FROM users')).rows).toEqual([{ username: 'root' }]);
    });

    it('names every offending field at once', async () => {
      const res = await create({ username: 'a', password: 'short', groups: [], extra: 1 });
      expectProblem(res, 400);
      expect(problemFields(res)).toEqual(['extra', 'groups', 'password', 'username']);
    });
  });

  describe('PATCH /api/users/{id}', () => {
    let bob: TestUser;

    beforeEach(async () => {
      bob = await t.user('bob', ['analyst']);
    });

    it('changes groups and returns the user; updated_at moves, created_at does not', async () => {
      const before = await row(bob.id);

      const res = await update(bob.id, { groups: ['analyst', 'admin'] });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...userShape('bob', ['admin', 'analyst']), id: bob.id });
      expect(new Date(res.body.created_at)).toEqual(before.created_at);
      expect(new Date(res.body.updated_at).getTime()).toBeGreaterThan(before.updated_at.getTime());
      expect((await listed()).find((u) => u.id === bob.id)?.groups).toEqual(['admin', 'analyst']);
      expect((await t.api.get('/api/users', { token: bob.token })).status).toBe(200);
    });

    it('changes the password: the old one stops working, the new one works', async () => {
      const res = await update(bob.id, { password: 'a-brand-new-password' });

      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toMatch(/password|argon2/i);
      expectProblem(await login('bob', bob.password), 401);
      expect((await login('bob', 'a-brand-new-password')).status).toBe(200);
    });

    it('deactivates and reactivates: an inactive user cannot sign in', async () => {
      const off = await update(bob.id, { is_active: false });
      expect(off.status).toBe(200);
      expect(off.body).toMatchObject({ id: bob.id, is_active: false });
      expectProblem(await login('bob', bob.password), 401);

      const on = await update(bob.id, { is_active: true });
      expect(on.status).toBe(200);
      expect(on.body).toMatchObject({ id: bob.id, is_active: true });
      expect((await login('bob', bob.password)).status).toBe(200);
    });

    it('applies several changes in one call', async () => {
      const res = await update(bob.id, {
        groups: ['admin'],
        password: 'a-brand-new-password',
        is_active: true,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ groups: ['admin'], is_active: true });
      expect((await login('bob', 'a-brand-new-password')).status).toBe(200);
    });

    it('answers an empty body with 400 and changes nothing', async () => {
      const before = await row(bob.id);
      const res = await update(bob.id, {});
      expectProblem(res, 400);
      expect(res.body.errors).toEqual([{ field: 'body', message: expect.any(String) }]);
      expect(await row(bob.id)).toEqual(before);
    });

    it.each<[string, unknown]>([
      ['username', { username: 'robert' }],
      ['token_version', { token_version: 0 }],
      ['groups', { groups: [] }],
      ['groups', { groups: ['root'] }],
      ['groups', { groups: 'admin' }],
      ['groups', { groups: null }],
      ['password', { password: 'short' }],
      ['password', { password: 'longer than 256 characters: ' + 'x'.repeat(256) }],
      ['password', { password: null }],
      ['is_active', { is_active: 'false' }],
      ['is_active', { is_active: 0 }],
      ['is_active', { is_active: null }],
    ])('answers 400 naming only %s for %j and changes nothing', async (field, body) => {
      const before = await row(bob.id);
      const res = await update(bob.id, body);
      expectProblem(res, 400);
      expect(problemFields(res)).toEqual([field]);
      expect(await row(bob.id)).toEqual(before);
    });

    it.each(['not-a-uuid', '12345', `${UNKNOWN_ID}x`, '00000000-0000-0000-0000-000000000000'])(
      'answers 400 naming id for the id %s',
      async (id) => {
        const res = await update(id, { is_active: true });
        expectProblem(res, 400);
        expect(problemFields(res)).toEqual(['id']);
      },
    );

    it('answers 404 for an id nobody has', async () => {
      const res = await update(UNKNOWN_ID, { is_active: false });
      expect(expectProblem(res, 404).detail).toContain(UNKNOWN_ID);
    });
  });

  describe('the last active admin', () => {
    it.each<[string, object]>([
      ['be deactivated', { is_active: false }],
      ['lose the admin group', { groups: ['analyst'] }],
      ['be deactivated while losing the group', { groups: ['analyst'], is_active: false }],
    ])('cannot %s: 409, and nothing changed', async (_, body) => {
      const before = await row(admin.id);

      const res = await update(admin.id, body);

      expectProblem(res, 409);
      expect(await row(admin.id)).toEqual(before);
      expect((await t.api.get('/api/users', { token: admin.token })).status).toBe(200);
    });

    it('does not count an inactive admin as a remaining one', async () => {
      const dormant = await t.user('dormant', ['admin']);
      expect((await update(dormant.id, { is_active: false })).status).toBe(200);
      const before = await row(admin.id);

      expectProblem(await update(admin.id, { is_active: false }), 409);
      expectProblem(await update(admin.id, { groups: ['analyst'] }), 409);

      expect(await row(admin.id)).toEqual(before);
    });

    it('stays when two admins demote each other at the same moment', async () => {
      const second = await t.user('second', ['admin']);

      const results = await Promise.all([
        t.api.patch(`/api/users/${second.id}`, {
          token: admin.token,
          body: { groups: ['analyst'] },
        }),
        t.api.patch(`/api/users/${admin.id}`, {
          token: second.token,
          body: { groups: ['analyst'] },
        }),
      ]);

      // the loser is refused either by the rule (409) or, if it arrives later, as a non-admin (403)
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      for (const res of results.filter((r) => r.status !== 200)) {
        expect([403, 409]).toContain(res.status);
        expectProblem(res, res.status);
      }
      const { rows } = await t.db.query(
        `SELECT count(*)::int AS admins FROM users WHERE is_active AND 'admin' = ANY (groups)`,
      );
      expect(rows).toEqual([{ admins: 1 }]);
    });

    it('is only the last: with a second active admin one may step down, then not the other', async () => {
      const second = await t.user('second', ['admin']);

      const res = await update(admin.id, { groups: ['analyst'] });

      expect(res.status).toBe(200);
      expect(res.body.groups).toEqual(['analyst']);
      const stepDown = await t.api.patch(`/api/users/${second.id}`, {
        token: second.token,
        body: { is_active: false },
      });
      expectProblem(stepDown, 409);
    });
  });
});
