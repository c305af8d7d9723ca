// API keys (issue 15): an admin creates one with its groups and optional expiry; it is shown once,
// stored as a SHA-256 hash, listed with its last use, revocable at once; it authenticates as
// `Authorization: Bearer <key>` beside JWTs, is throttled per key, and a key of the `ingest`
// group may only push alerts.
import { createHash, randomBytes } from 'node:crypto';
import type { ApiResponse } from './support/api-client.js';
import { DatabaseRelay } from './support/database-relay.js';
import { expectProblem, problemFields } from './support/problem.js';
import { waitUntil } from './support/sync.js';
import { startTestApp, testDatabaseUrl, TestApp, TestUser } from './support/test-app.js';

const KEY = /^vgk_[A-Za-z0-9_-]{43}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

interface CreatedKey {
  id: string;
  key: string;
  name: string;
  groups: string[];
  prefix: string;
  created_by: { id: string; username: string } | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

async function insertAlert(t: TestApp, externalId: string): Promise<string> {
  const { rows } = await t.db.query<{ id: string }>(
    `INSERT INTO alerts (source, external_id, fingerprint, severity, description, created_at)
     VALUES ('firewall', $1::text, decode(md5($1::text), 'hex'), 'high', 'Port scan', now()) RETURNING id`,
    [externalId],
  );
  return rows[0].id;
}

describe('API keys (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ UPSTREAM_URL: 'http://127.0.0.1:1', SYNC_ENABLED: 'false' });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.reset();
    admin = await t.user('root', ['admin']);
  });

  const create = (body: unknown, token = admin.token) =>
    t.api.post('/api/api-keys', { token, body });
  const list = async () => {
    const res = await t.api.get('/api/api-keys', { token: admin.token });
    expect(res.status).toBe(200);
    return res.body.api_keys as Array<Omit<CreatedKey, 'key'>>;
  };
  async function newKey(name: string, groups: string[], expiresAt?: string): Promise<CreatedKey> {
    const res = await create({ name, groups, expires_at: expiresAt });
    expect(res.status).toBe(201);
    return res.body as CreatedKey;
  }
  const revoke = (id: string) =>
    t.api.call('DELETE', `/api/api-keys/${id}`, { token: admin.token });
  const lastUsed = async (id: string) =>
    (
      await t.db.query<{ last_used_at: Date | null }>(
        'SELECT last_used_at FROM api_keys WHERE id = $1',
        [id],
      )
    ).rows[0].last_used_at;

  describe('created', () => {
    it('shows the key once, stores only its SHA-256, and lists it without the key', async () => {
      const res = await create({ name: 'splunk-action', groups: ['ingest', 'analyst', 'ingest'] });

      expect(res.status).toBe(201);
      const created = res.body as CreatedKey;
      expect(created).toEqual({
        id: expect.any(String),
        key: expect.stringMatching(KEY),
        name: 'splunk-action',
        groups: ['analyst', 'ingest'],
        prefix: created.key.slice(0, 12),
        created_by: { id: admin.id, username: 'root' },
        created_at: expect.stringMatching(ISO_UTC),
        expires_at: null,
        last_used_at: null,
        revoked_at: null,
      });

      const { key, ...listed } = created;
      const keys = await list();
      expect(keys).toEqual([listed]);
      expect(JSON.stringify(keys)).not.toContain(key.slice(12));

      const { rows } = await t.db.query<Record<string, unknown>>('SELECT * FROM api_keys');
      expect(rows).toHaveLength(1);
      expect(rows[0].key_hash).toEqual(sha256(key));
      expect(JSON.stringify(rows[0])).not.toContain(key.slice(12));
    });

    it('makes a different key every time, with an expiry when asked', async () => {
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const a = await newKey('a', ['analyst'], expiresAt);
      const b = await newKey('b', ['analyst']);
      expect(a.key).not.toBe(b.key);
      expect(a.expires_at).toBe(expiresAt);
      expect((await list()).map((k) => k.name)).toEqual(['b', 'a']);
    });

    it.each([
      [{ groups: ['analyst'] }, ['name']],
      [{ name: '', groups: ['analyst'] }, ['name']],
      [{ name: 'x'.repeat(61), groups: ['analyst'] }, ['name']],
      [{ name: ' padded', groups: ['analyst'] }, ['name']],
      [{ name: 'new\nline', groups: ['analyst'] }, ['name']],
      [{ name: 42, groups: ['analyst'] }, ['name']],
      [{ name: 'k' }, ['groups']],
      [{ name: 'k', groups: [] }, ['groups']],
      [{ name: 'k', groups: ['root'] }, ['groups']],
      [{ name: 'k', groups: 'admin' }, ['groups']],
      [{ name: 'k', groups: ['analyst'], expires_at: '2020-01-01T00:00:00Z' }, ['expires_at']],
      [{ name: 'k', groups: ['analyst'], expires_at: 'tomorrow' }, ['expires_at']],
      [{ name: 'k', groups: ['analyst'], expires_at: '2999-01-01T00:00:00' }, ['expires_at']],
      [{ name: 'k', groups: ['analyst'], key: 'vgk_chosen' }, ['key']],
    ])('refuses %j (400 naming %j) and stores nothing', async (body, fields) => {
      const res = await create(body);
      expectProblem(res, 400);
      expect(problemFields(res)).toEqual(fields);
      expect(await list()).toEqual([]);
    });

    it('accepts a name of 60 characters and a null expiry', async () => {
      const created = await newKey('n'.repeat(60), ['admin'], null as never);
      expect(created.expires_at).toBeNull();
    });

    it('refuses a second live key of the same name (409), and allows it once the first is revoked', async () => {
      const first = await newKey('soar', ['analyst']);
      expectProblem(await create({ name: 'SOAR', groups: ['admin'] }), 409);
      expect((await revoke(first.id)).status).toBe(204);
      expect((await create({ name: 'SOAR', groups: ['admin'] })).status).toBe(201);
    });
  });

  describe('used', () => {
    it('lets an analyst key read alerts, and refuses it writes and the admin API (403)', async () => {
      const alertId = await insertAlert(t, 'fw-1');
      const { key } = await newKey('reader', ['analyst']);

      const alerts = await t.api.get('/api/alerts', { token: key });
      expect(alerts.status).toBe(200);
      expect(alerts.body.alerts.map((a: { id: string }) => a.id)).toEqual([alertId]);
      expect((await t.api.get(`/api/alerts/${alertId}`, { token: key })).status).toBe(200);

      const patch = await t.api.patch(`/api/alerts/${alertId}`, {
        token: key,
        body: { status: 'acknowledged' },
      });
      expect(expectProblem(patch, 403).detail).toBe('Requires group: admin');
      expectProblem(await t.api.get('/api/api-keys', { token: key }), 403);
      expectProblem(await create({ name: 'more', groups: ['admin'] }, key), 403);
    });

    it('lets an admin key change alerts and post events, recorded as key:<name> with no user id', async () => {
      const alertId = await insertAlert(t, 'fw-2');
      const { key } = await newKey('soar', ['admin']);

      const patch = await t.api.patch(`/api/alerts/${alertId}`, {
        token: key,
        body: { status: 'acknowledged', note: 'triaged by playbook' },
      });
      expect(patch.status).toBe(200);
      const history = await t.api.get(`/api/alerts/${alertId}/history`, { token: key });
      expect(history.status).toBe(200);
      expect(history.body.history).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            actor: { id: null, username: 'key:soar' },
            field: 'status',
            to: 'acknowledged',
          }),
        ]),
      );

      const event = await t.api.post('/api/events', {
        token: key,
        body: { source: 'edr', event_type: 'login', severity: 'high', description: 'A login' },
      });
      expect(event.status).toBe(201);
      expect(event.body.created_by).toBeNull();

      // An admin key may make keys; no user made that one.
      const made = await create({ name: 'minted', groups: ['ingest'] }, key);
      expect(made.status).toBe(201);
      expect(made.body.created_by).toBeNull();
    });

    it('keeps keys off the routes of a signed-in session (403), whatever their groups', async () => {
      const { key } = await newKey('root-key', ['admin']);
      const me = await t.api.get('/api/auth/me', { token: key });
      expect(expectProblem(me, 403).detail).toMatch(/^API keys may not call this route/);
      const logout = await t.api.post('/api/auth/logout', {
        token: key,
        body: { refresh_token: admin.refresh },
      });
      expectProblem(logout, 403);
      // The admin's session was not touched.
      expect((await t.api.get('/api/auth/me', { token: admin.token })).status).toBe(200);
    });

    it('records the last use, at most once a minute', async () => {
      const { id, key } = await newKey('poller', ['analyst']);
      expect(await lastUsed(id)).toBeNull();

      const before = Date.now();
      expect((await t.api.get('/api/alerts', { token: key })).status).toBe(200);
      const first = await lastUsed(id);
      expect(first).not.toBeNull();
      expect(first!.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect((await list())[0].last_used_at).toBe(first!.toISOString());

      // Within the minute: no new write.
      expect((await t.api.get('/api/alerts', { token: key })).status).toBe(200);
      expect(await lastUsed(id)).toEqual(first);

      // A use recorded more than a minute ago is renewed (once the cached row, 1 s, is re-read).
      await t.db.query(
        `UPDATE api_keys SET last_used_at = now() - interval '2 minutes' WHERE id = $1`,
        [id],
      );
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect((await t.api.get('/api/alerts', { token: key })).status).toBe(200);
      expect((await lastUsed(id))!.getTime()).toBeGreaterThan(first!.getTime());
    });
  });

  describe('refused', () => {
    const expectUnauthenticated = (res: ApiResponse) => {
      expectProblem(res, 401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    };

    it('answers 401 to the next request once a key is revoked, and keeps it listed', async () => {
      const { id, key } = await newKey('leaked', ['analyst']);
      expect((await t.api.get('/api/alerts', { token: key })).status).toBe(200);

      expect((await revoke(id)).status).toBe(204);

      expectUnauthenticated(await t.api.get('/api/alerts', { token: key }));
      const [listed] = await list();
      expect(listed.revoked_at).toMatch(ISO_UTC);
      // Revoking again changes nothing; an unknown key is 404, a malformed id 400.
      expect((await revoke(id)).status).toBe(204);
      expect((await list())[0].revoked_at).toBe(listed.revoked_at);
      expectProblem(await revoke(UNKNOWN_ID), 404);
      expectProblem(await revoke('not-a-uuid'), 400);
    });

    it('answers 401 once a key has expired', async () => {
      const expiresAt = new Date(Date.now() + 1_500).toISOString();
      const { key } = await newKey('short-lived', ['analyst'], expiresAt);
      expect((await t.api.get('/api/alerts', { token: key })).status).toBe(200);

      await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt) - Date.now() + 50));

      expectUnauthenticated(await t.api.get('/api/alerts', { token: key }));
    });

    it('answers 401 to an expiry set in the database, within the cache bound', async () => {
      const { id, key } = await newKey('expired-by-sql', ['analyst']);
      expect((await t.api.get('/api/alerts', { token: key })).status).toBe(200);
      await t.db.query(
        `UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [id],
      );
      await waitUntil('the expiry to be read', async () =>
        (await t.api.get('/api/alerts', { token: key })).status === 401 ? true : undefined,
      );
      expectUnauthenticated(await t.api.get('/api/alerts', { token: key }));
    });

    it('answers 401 to keys it never issued, like a bad JWT', async () => {
      const { key } = await newKey('real', ['admin']);
      const flipped = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
      const forged = [
        'vgk_',
        'vgk_short',
        `vgk_${randomBytes(32).toString('base64url')}`,
        flipped,
        `${key}x`,
        `vgk_${'A'.repeat(43)}`,
      ];
      for (const token of forged) {
        expectUnauthenticated(await t.api.get('/api/alerts', { token }));
      }
      expectUnauthenticated(await t.api.get('/api/alerts', { token: `${admin.token}x` }));
    });
  });

  describe('the ingest group', () => {
    it('gets 403 on every route but POST /api/ingest/alerts', async () => {
      const { key } = await newKey('edr-push', ['ingest']);
      const document = (await t.api.get('/docs-json')).body as {
        paths: Record<string, Record<string, { security?: Array<Record<string, unknown>> }>>;
      };
      const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({ method, path, operation })),
      );
      const secured = operations.filter(({ operation }) =>
        operation.security?.some((requirement) => 'bearer' in requirement),
      );
      expect(secured.length).toBeGreaterThan(30);
      expect(secured.map(({ method, path }) => `${method} ${path}`)).toContain(
        'post /api/ingest/alerts',
      );

      const answers: string[] = [];
      for (const { method, path } of secured) {
        const concrete = path.replace(/\{[^}]+\}/g, UNKNOWN_ID);
        const body = method === 'get' || method === 'delete' ? undefined : {};
        const res = await t.api.call(method.toUpperCase(), concrete, { token: key, body });
        answers.push(`${method.toUpperCase()} ${path} ${res.status}`);
      }
      const expected = secured.map(({ method, path }) => {
        const route = `${method.toUpperCase()} ${path}`;
        // The push route takes the key and refuses the empty body.
        return `${route} ${route === 'POST /api/ingest/alerts' ? 400 : 403}`;
      });
      expect(answers).toEqual(expected);
    });
  });
});

describe('API keys: rate limit per key (e2e)', () => {
  const LIMIT = 4;
  let t: TestApp;

  beforeAll(async () => {
    // TRUST_PROXY=1: each request names its client address in X-Forwarded-For.
    t = await startTestApp({
      THROTTLE_LIMIT: String(LIMIT),
      THROTTLE_TTL_SECONDS: '60',
      TRUST_PROXY: '1',
      SYNC_ENABLED: 'false',
    });
    await t.reset();
  });
  afterAll(() => t.close());

  it('counts one key across client addresses, and leaves other keys alone', async () => {
    const admin = await t.user('root', ['admin']);
    const make = async (name: string) => {
      const res = await t.api.post('/api/api-keys', {
        token: admin.token,
        body: { name, groups: ['analyst'] },
        headers: { 'x-forwarded-for': '198.51.100.1' },
      });
      expect(res.status).toBe(201);
      return res.body.key as string;
    };
    const busy = await make('busy');
    const quiet = await make('quiet');
    // Every request from a new address: the per-address limit never trips.
    let address = 10;
    const get = (token: string) =>
      t.api.get('/api/alerts', {
        token,
        headers: { 'x-forwarded-for': `203.0.113.${address++}` },
      });

    for (let i = 0; i < LIMIT; i++) expect((await get(busy)).status).toBe(200);
    const refused = await get(busy);
    expect(expectProblem(refused, 429).type).toBe('urn:vigil:problem:rate-limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    expect((await get(quiet)).status).toBe(200);
    // An unknown key is refused as such, and counts against no key.
    expectProblem(await get(`vgk_${'Z'.repeat(43)}`), 401);
  });
});

describe('API keys: database outage (e2e)', () => {
  let relay: DatabaseRelay;
  let t: TestApp;

  beforeAll(async () => {
    relay = new DatabaseRelay(new URL(testDatabaseUrl()));
    await relay.open();
    // No cache: every request asks the database, as one would after the cache expires.
    t = await startTestApp({
      DATABASE_URL: relay.url,
      SYNC_ENABLED: 'false',
      AUTH_USER_CACHE_MS: '0',
    });
    await t.reset();
  });
  afterAll(async () => {
    await relay.open().catch(() => undefined);
    await t.close();
    await relay.cut();
  });

  it('answers 503, not 401, to a valid key while the database is unreachable', async () => {
    const admin = await t.user('root', ['admin']);
    const created = await t.api.post('/api/api-keys', {
      token: admin.token,
      body: { name: 'during-outage', groups: ['analyst'] },
    });
    const key = created.body.key as string;
    expect((await t.api.get('/api/alerts', { token: key })).status).toBe(200);

    await relay.cut();
    const res = await t.api.get('/api/alerts', { token: key });
    expect(expectProblem(res, 503).type).toBe('urn:vigil:problem:database-unavailable');
    // A key wrong on its face needs no database: still 401.
    expectProblem(await t.api.get('/api/alerts', { token: 'vgk_short' }), 401);

    await relay.open();
    await waitUntil('the database to answer again', async () =>
      (await t.api.get('/api/alerts', { token: key })).status === 200 ? true : undefined,
    );
  });
});
