// Who may call what: every route the service serves, called by an anonymous client, a user of
// each group (analyst, admin, ingest) and an API key of each group. The table is also checked
// against the OpenAPI document, so a route added without a row here (or documented with the
// wrong security) fails this file.
import { createHash, randomBytes } from 'node:crypto';
import type { ApiResponse } from './support/api-client.js';
import { expectProblem } from './support/problem.js';
import { startTestApp, TestApp, TestUser } from './support/test-app.js';

type User = 'analyst' | 'admin' | 'ingest';
type Key = 'analyst key' | 'admin key' | 'ingest key';
type Caller = 'anonymous' | User | Key;
const USERS: User[] = ['analyst', 'admin', 'ingest'];
const KEYS: Key[] = ['analyst key', 'admin key', 'ingest key'];
const CALLERS: Caller[] = ['anonymous', ...USERS, ...KEYS];

interface Cast {
  admin: TestUser;
  analyst: TestUser;
  ingest: TestUser;
  /** The secret of each API key caller. */
  keys: Record<Key, string>;
  /** A key no caller uses, for the route that revokes one. */
  spareKeyId: string;
  /** A (disabled) webhook subscription, for the routes that take one. */
  webhookId: string;
  /** Two open incidents (a rule and two alerts), and the rule, for the routes that take them. */
  incidentId: string;
  otherIncidentId: string;
  incidentAlertId: string;
  ruleId: string;
  /** Rows that exist, for the routes that take one. */
  alertId: string;
  eventId: string;
  ipUserId: string;
  assetSource: string;
  /** The signed-in caller, undefined when anonymous. */
  caller?: TestUser;
}

interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** As the OpenAPI document spells it. */
  path: string;
  expected: Record<Caller, number>;
  /** A request that succeeds for an allowed caller; `path` replaces a templated one. */
  request?: (cast: Cast) => { path?: string; body?: unknown };
}

/** Each caller's answer: `ok` for those in `groups`, 403 for the others, 401 when anonymous. */
const groups = (ok: number, allowed: string[], keys = true): Record<Caller, number> => {
  const answer = (group: string, isKey: boolean) =>
    isKey && !keys ? 403 : allowed.includes(group) ? ok : 403;
  return {
    anonymous: 401,
    analyst: answer('analyst', false),
    admin: answer('admin', false),
    ingest: answer('ingest', false),
    'analyst key': answer('analyst', true),
    'admin key': answer('admin', true),
    'ingest key': answer('ingest', true),
  };
};
/** The caller got past authentication and authorisation (the route may still fail: 502). */
const passesGuards = (status: number) => status !== 401 && status !== 403;
const anyone = (ok: number) =>
  Object.fromEntries(CALLERS.map((caller) => [caller, ok])) as Record<Caller, number>;
/** A signed-in user's own session (me, logout): any user, no API key (a key has no session). */
const session = (ok: number) => groups(ok, ['admin', 'analyst', 'ingest'], false);
const readers = (ok: number) => groups(ok, ['admin', 'analyst']);
const adminOnly = (ok: number) => groups(ok, ['admin']);
const pushers = (ok: number) => groups(ok, ['admin', 'ingest']);

const ROUTES: Route[] = [
  {
    method: 'POST',
    path: '/api/auth/token',
    expected: anyone(200),
    request: ({ analyst }) => ({
      body: { username: analyst.username, password: analyst.password },
    }),
  },
  {
    method: 'POST',
    path: '/api/auth/refresh',
    expected: anyone(200),
    request: ({ analyst }) => ({ body: { refresh_token: analyst.refresh } }),
  },
  {
    method: 'POST',
    path: '/api/auth/logout',
    expected: session(204),
    request: ({ caller, analyst }) => ({ body: { refresh_token: (caller ?? analyst).refresh } }),
  },
  { method: 'GET', path: '/api/auth/me', expected: session(200) },
  { method: 'GET', path: '/api/users', expected: adminOnly(200) },
  {
    method: 'POST',
    path: '/api/users',
    expected: adminOnly(201),
    request: () => ({
      body: { username: 'newcomer', password: 'newcomer-password', groups: ['analyst'] },
    }),
  },
  {
    method: 'PATCH',
    path: '/api/users/{id}',
    expected: adminOnly(200),
    request: ({ analyst }) => ({ path: `/api/users/${analyst.id}`, body: { groups: ['analyst'] } }),
  },
  // 202 while the sync runs in the background; the upstream (port 1) refuses at once.
  { method: 'POST', path: '/api/sync', expected: adminOnly(202) },
  { method: 'GET', path: '/api/sync/runs', expected: readers(200) },
  { method: 'GET', path: '/api/sync/quarantine', expected: adminOnly(200) },
  { method: 'GET', path: '/api/config', expected: readers(200) },
  {
    method: 'PUT',
    path: '/api/config',
    expected: adminOnly(200),
    request: () => ({ body: { sync_interval_seconds: 120 } }),
  },
  // Admins pass the guards and reach the upstream, which here (port 1) does not answer: 502.
  { method: 'GET', path: '/api/upstream/chaos', expected: adminOnly(502) },
  {
    method: 'PUT',
    path: '/api/upstream/chaos',
    expected: adminOnly(502),
    request: () => ({ body: { failure_rate: 0 } }),
  },
  { method: 'GET', path: '/api/alerts', expected: readers(200) },
  {
    method: 'GET',
    path: '/api/alerts/{id}',
    expected: readers(200),
    request: ({ alertId }) => ({ path: `/api/alerts/${alertId}` }),
  },
  {
    method: 'PATCH',
    path: '/api/alerts/{id}',
    expected: adminOnly(200),
    request: ({ alertId }) => ({
      path: `/api/alerts/${alertId}`,
      body: { status: 'acknowledged' },
    }),
  },
  {
    method: 'GET',
    path: '/api/alerts/{id}/history',
    expected: readers(200),
    request: ({ alertId }) => ({ path: `/api/alerts/${alertId}/history` }),
  },
  {
    method: 'GET',
    path: '/api/alerts/{id}/related',
    expected: readers(200),
    request: ({ alertId }) => ({ path: `/api/alerts/${alertId}/related` }),
  },
  {
    method: 'POST',
    path: '/api/alerts/{id}/notes',
    expected: adminOnly(201),
    request: ({ alertId }) => ({ path: `/api/alerts/${alertId}/notes`, body: { text: 'seen' } }),
  },
  {
    method: 'POST',
    path: '/api/alerts/bulk',
    expected: adminOnly(200),
    request: ({ alertId }) => ({ body: { ids: [alertId], set: { status: 'acknowledged' } } }),
  },
  { method: 'GET', path: '/api/alerts/stats', expected: readers(200) },
  { method: 'GET', path: '/api/events', expected: adminOnly(200) },
  {
    method: 'POST',
    path: '/api/events',
    expected: adminOnly(201),
    request: () => ({
      body: {
        source: 'edr',
        event_type: 'process_injection',
        severity: 'high',
        description: 'Injected into lsass',
      },
    }),
  },
  {
    method: 'GET',
    path: '/api/events/{id}',
    expected: adminOnly(200),
    request: ({ eventId }) => ({ path: `/api/events/${eventId}` }),
  },
  { method: 'GET', path: '/api/context/ip-users', expected: readers(200) },
  {
    method: 'POST',
    path: '/api/context/ip-users',
    expected: adminOnly(201),
    request: () => ({ body: { network: '10.9.0.0/24', user_name: 'zed' } }),
  },
  {
    method: 'DELETE',
    path: '/api/context/ip-users/{id}',
    expected: adminOnly(204),
    request: ({ ipUserId }) => ({ path: `/api/context/ip-users/${ipUserId}` }),
  },
  { method: 'GET', path: '/api/context/assets', expected: readers(200) },
  {
    method: 'POST',
    path: '/api/context/assets',
    expected: adminOnly(201),
    request: () => ({ body: { source: 'ngfw', owner_team: 'Network' } }),
  },
  {
    method: 'DELETE',
    path: '/api/context/assets/{source}',
    expected: adminOnly(204),
    request: ({ assetSource }) => ({ path: `/api/context/assets/${assetSource}` }),
  },
  {
    method: 'POST',
    path: '/api/ingest/alerts',
    expected: pushers(200),
    request: () => ({
      body: {
        alerts: [
          {
            id: 'push-1',
            source: 'firewall',
            severity: 'high',
            description: 'Port scan',
            created_at: new Date().toISOString(),
          },
        ],
      },
    }),
  },
  { method: 'GET', path: '/api/api-keys', expected: adminOnly(200) },
  {
    method: 'POST',
    path: '/api/api-keys',
    expected: adminOnly(201),
    request: () => ({ body: { name: 'newcomer', groups: ['ingest'] } }),
  },
  {
    method: 'DELETE',
    path: '/api/api-keys/{id}',
    expected: adminOnly(204),
    request: ({ spareKeyId }) => ({ path: `/api/api-keys/${spareKeyId}` }),
  },
  { method: 'GET', path: '/api/webhooks', expected: adminOnly(200) },
  {
    method: 'POST',
    path: '/api/webhooks',
    expected: adminOnly(201),
    request: () => ({
      body: { url: 'http://127.0.0.1:1/new', events: ['alert.created'], enabled: false },
    }),
  },
  {
    method: 'GET',
    path: '/api/webhooks/{id}',
    expected: adminOnly(200),
    request: ({ webhookId }) => ({ path: `/api/webhooks/${webhookId}` }),
  },
  {
    method: 'PATCH',
    path: '/api/webhooks/{id}',
    expected: adminOnly(200),
    request: ({ webhookId }) => ({
      path: `/api/webhooks/${webhookId}`,
      body: { events: ['alert.changed'] },
    }),
  },
  {
    method: 'DELETE',
    path: '/api/webhooks/{id}',
    expected: adminOnly(204),
    request: ({ webhookId }) => ({ path: `/api/webhooks/${webhookId}` }),
  },
  {
    method: 'GET',
    path: '/api/webhooks/{id}/deliveries',
    expected: adminOnly(200),
    request: ({ webhookId }) => ({ path: `/api/webhooks/${webhookId}/deliveries` }),
  },
  // Sent at once to a receiver that does not answer (port 1): the failed delivery is the answer.
  {
    method: 'POST',
    path: '/api/webhooks/{id}/test',
    expected: adminOnly(200),
    request: ({ webhookId }) => ({ path: `/api/webhooks/${webhookId}/test` }),
  },
  { method: 'GET', path: '/api/incidents', expected: readers(200) },
  { method: 'GET', path: '/api/incidents/stats', expected: readers(200) },
  {
    method: 'GET',
    path: '/api/incidents/{id}',
    expected: readers(200),
    request: ({ incidentId }) => ({ path: `/api/incidents/${incidentId}` }),
  },
  {
    method: 'PATCH',
    path: '/api/incidents/{id}',
    expected: adminOnly(200),
    request: ({ incidentId }) => ({
      path: `/api/incidents/${incidentId}`,
      body: { status: 'acknowledged' },
    }),
  },
  {
    method: 'GET',
    path: '/api/incidents/{id}/history',
    expected: readers(200),
    request: ({ incidentId }) => ({ path: `/api/incidents/${incidentId}/history` }),
  },
  {
    method: 'POST',
    path: '/api/incidents/{id}/merge',
    expected: adminOnly(200),
    request: ({ incidentId, otherIncidentId }) => ({
      path: `/api/incidents/${incidentId}/merge`,
      body: { incident_id: otherIncidentId },
    }),
  },
  {
    method: 'DELETE',
    path: '/api/incidents/{id}/alerts/{alertId}',
    expected: adminOnly(200),
    request: ({ incidentId, incidentAlertId }) => ({
      path: `/api/incidents/${incidentId}/alerts/${incidentAlertId}`,
    }),
  },
  { method: 'GET', path: '/api/correlation-rules', expected: adminOnly(200) },
  {
    method: 'POST',
    path: '/api/correlation-rules',
    expected: adminOnly(201),
    request: () => ({ body: { name: 'New rule', keys: ['dst_ip'], window_seconds: 600 } }),
  },
  {
    method: 'PATCH',
    path: '/api/correlation-rules/{id}',
    expected: adminOnly(200),
    request: ({ ruleId }) => ({
      path: `/api/correlation-rules/${ruleId}`,
      body: { window_seconds: 900 },
    }),
  },
  {
    method: 'DELETE',
    path: '/api/correlation-rules/{id}',
    expected: adminOnly(204),
    request: ({ ruleId }) => ({ path: `/api/correlation-rules/${ruleId}` }),
  },
  // An event stream: ApiClient takes its headers as the answer and does not read the body.
  { method: 'GET', path: '/api/stream', expected: readers(200) },
  { method: 'GET', path: '/health', expected: anyone(200) },
  { method: 'GET', path: '/health/live', expected: anyone(200) },
  { method: 'GET', path: '/health/ready', expected: anyone(200) },
  { method: 'GET', path: '/metrics', expected: anyone(200) },

  { method: 'GET', path: '/docs-json', expected: anyone(200) },
];

const MATRIX = ROUTES.flatMap((route) =>
  CALLERS.map(
    (caller) => [route.method, route.path, caller, route.expected[caller], route] as const,
  ),
);

const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

interface Schema {
  $ref?: string;
  properties?: Record<string, unknown>;
  required?: string[];
}
interface Content {
  content: Record<string, { schema: Schema }>;
}
interface Operation {
  key: string;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: Content;
  responses: Record<string, Content>;
  security?: Array<Record<string, string[]>>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, unknown> };
  security?: unknown[];
}

function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      ...operation,
      key: key(method, path),
    })),
  );
}

describe('Access control (e2e)', () => {
  let t: TestApp;
  let cast: Omit<Cast, 'caller'>;

  beforeAll(async () => {
    t = await startTestApp({ UPSTREAM_URL: 'http://127.0.0.1:1', UPSTREAM_RETRIES: '0' });
  });
  afterAll(() => t.close());
  // Whether the state the last setup made is as it made it: only refused calls ran since (that
  // they change nothing is tested below). The next case then skips the reset and the sign-ins,
  // which are most of this file's time.
  let pristine = false;
  beforeEach(async () => {
    if (pristine) return;
    await t.reset();
    const { rows } = await t.db.query<{ id: string }>(
      `INSERT INTO alerts (source, external_id, fingerprint, severity, description, created_at)
       VALUES ('firewall', 'fw-1', decode(md5('fw-1'), 'hex'), 'high', 'Port scan', now()) RETURNING id`,
    );
    const { rows: mappings } = await t.db.query<{ id: string }>(
      `INSERT INTO context_ip_users (network, user_name) VALUES ('10.0.0.0/24', 'alice') RETURNING id`,
    );
    await t.db.query(
      `INSERT INTO context_assets (source, owner_team) VALUES ('firewall', 'NetSec')`,
    );
    const { rows: events } = await t.db.query<{ id: string }>(
      `INSERT INTO events (source, event_type, severity, description, occurred_at)
       VALUES ('edr', 'login', 'low', 'A login', now()) RETURNING id`,
    );
    // A rule, and two alerts it groups into two incidents (grouped as they are inserted).
    const { rows: rules } = await t.db.query<{ id: string }>(
      `INSERT INTO correlation_rules (name, keys, window_seconds, position)
       VALUES ('Hosts', ARRAY['src_ip'], 600, 1) RETURNING id`,
    );
    const { rows: grouped } = await t.db.query<{ id: string }>(
      `WITH a AS (
         INSERT INTO alerts (source, external_id, severity, description, created_at, src_ip)
         VALUES ('ids', 'ids-1', 'high', 'Beacon', now(), '10.1.1.1'),
                ('ids', 'ids-2', 'low', 'Beacon', now(), '10.1.1.2')
         RETURNING id)
       SELECT id FROM a ORDER BY id`,
    );
    const { rows: incidents } = await t.db.query<{ alert_id: string; incident_id: string }>(
      'SELECT alert_id, incident_id FROM incident_alerts WHERE alert_id = ANY($1::uuid[])',
      [grouped.map((g) => g.id)],
    );
    expect(incidents).toHaveLength(2);
    const admin = await t.user('root', ['admin']);
    const webhook = await t.api.post('/api/webhooks', {
      token: admin.token,
      body: { url: 'http://127.0.0.1:1/hook', events: ['alert.created'], enabled: false },
    });
    expect(webhook.status).toBe(201);
    cast = {
      admin,
      analyst: await t.user('ana', ['analyst']),
      ingest: await t.user('edr', ['ingest']),
      keys: {
        'analyst key': await insertKey('analyst-key', ['analyst']),
        'admin key': await insertKey('admin-key', ['admin']),
        'ingest key': await insertKey('ingest-key', ['ingest']),
      },
      spareKeyId: await insertKey('spare', ['analyst']).then(async (secret) => {
        const { rows: spare } = await t.db.query<{ id: string }>(
          'SELECT id FROM api_keys WHERE key_hash = $1',
          [createHash('sha256').update(secret).digest()],
        );
        return spare[0].id;
      }),
      webhookId: webhook.body.id,
      incidentId: incidents[0].incident_id,
      otherIncidentId: incidents[1].incident_id,
      incidentAlertId: incidents[0].alert_id,
      ruleId: rules[0].id,
      alertId: rows[0].id,
      eventId: events[0].id,
      ipUserId: mappings[0].id,
      assetSource: 'firewall',
    };
    pristine = true;
  });

  /** An API key as the service issues them, written straight to the table (no request). */
  async function insertKey(name: string, keyGroups: string[]): Promise<string> {
    const secret = `vgk_${randomBytes(32).toString('base64url')}`;
    await t.db.query(
      'INSERT INTO api_keys (name, groups, key_hash, prefix) VALUES ($1, $2, $3, $4)',
      [name, keyGroups, createHash('sha256').update(secret).digest(), secret.slice(0, 12)],
    );
    return secret;
  }

  function call(route: Route, who: Caller): Promise<ApiResponse> {
    const caller = (USERS as string[]).includes(who) ? cast[who as User] : undefined;
    const token = (KEYS as string[]).includes(who) ? cast.keys[who as Key] : caller?.token;
    const request = route.request?.({ ...cast, caller }) ?? {};
    return t.api.call(route.method, request.path ?? route.path, { token, body: request.body });
  }

  it.each(MATRIX)('%s %s as %s answers %i', async (_method, _path, who, status, route) => {
    if (passesGuards(status)) pristine = false;
    const res = await call(route, who);

    if (status < 400) {
      expect(res.status).toBe(status);
      return;
    }
    const problem = expectProblem(res, status);
    if (status === 401) {
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    } else if (status === 403) {
      // A route for signed-in users that this caller's group would pass: refused as a key.
      const asKey =
        (KEYS as string[]).includes(who) &&
        passesGuards(route.expected[who.replace(' key', '') as User]);
      expect(problem.detail).toMatch(
        asKey ? /^API keys may not call this route/ : /^Requires group: [a-z]+( or [a-z]+)*$/,
      );
    }
  });

  const ALERTS = `SELECT a.*, (SELECT count(*) FROM alert_history) AS history,
    (SELECT count(*) FROM quarantine) AS quarantined FROM alerts a ORDER BY id`;
  it.each([
    ['/api/users', 'SELECT * FROM users ORDER BY username'],
    ['/api/alerts', ALERTS],
    ['/api/ingest', ALERTS],
    ['/api/events', 'SELECT * FROM events ORDER BY id'],
    // Not last_used_at: the refused keys' requests are uses.
    ['/api/api-keys', 'SELECT id, name, groups, expires_at, revoked_at FROM api_keys ORDER BY id'],
    [
      '/api/incidents',
      `SELECT i.*, (SELECT count(*) FROM incident_history) AS history,
         (SELECT count(*) FROM incident_alerts) AS grouped FROM incidents i ORDER BY id`,
    ],
    ['/api/correlation-rules', 'SELECT * FROM correlation_rules ORDER BY id'],
    [
      '/api/webhooks',
      `SELECT w.*, (SELECT count(*) FROM webhook_deliveries) AS deliveries
         FROM webhook_subscriptions w ORDER BY id`,
    ],
  ])('lets a refused write to %s change nothing', async (prefix, snapshot) => {
    pristine = false;
    const before = await t.db.query(snapshot);
    const writes = ROUTES.filter((r) => r.path.startsWith(prefix) && r.method !== 'GET');
    expect(writes.length).toBeGreaterThan(0);
    for (const route of writes) {
      for (const who of CALLERS.filter((caller) => route.expected[caller] >= 400)) {
        expectProblem(await call(route, who), route.expected[who]);
      }
    }
    expect((await t.db.query(snapshot)).rows).toEqual(before.rows);
  });

  it('documents exactly the routes in this table (and serves /docs-json itself undocumented)', async () => {
    pristine = false;
    const document = (await t.api.get('/docs-json')).body as OpenApiDocument;
    const documented = operationsOf(document).map((o) => o.key);
    const tabled = ROUTES.filter((r) => r.path !== '/docs-json').map((r) => key(r.method, r.path));
    expect(documented.sort()).toEqual(tabled.sort());
  });

  describe('the OpenAPI document', () => {
    let operations: Operation[];
    let document: OpenApiDocument;

    beforeEach(async () => {
      const res = await t.api.get('/docs-json');
      expect(res.status).toBe(200);
      document = res.body as OpenApiDocument;
      operations = operationsOf(document);
    });

    it('declares two HTTP bearer schemes, JWT and API key, and no global security', () => {
      expect(document.components.securitySchemes).toEqual({
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'API key',
          description: expect.stringContaining('POST /api/api-keys'),
        },
      });
      expect(document.security ?? []).toEqual([]);
    });

    it('lists the API key scheme beside the JWT one on exactly the routes a key may call', () => {
      const byKey = new Map(operations.map((o) => [o.key, o]));
      for (const route of ROUTES.filter((r) => r.expected.anonymous === 401)) {
        const keyAccepted = KEYS.some((k) => passesGuards(route.expected[k]));
        const where = key(route.method, route.path);
        expect({ where, security: byKey.get(where)?.security }).toEqual({
          where,
          security: keyAccepted ? [{ bearer: [] }, { apiKey: [] }] : [{ bearer: [] }],
        });
      }
    });

    it('marks exactly the routes that refuse anonymous callers with bearer security', () => {
      const secured = operations
        .filter((o) => o.security?.some((requirement) => 'bearer' in requirement))
        .map((o) => o.key);
      const protectedRoutes = ROUTES.filter((r) => r.expected.anonymous === 401).map((r) =>
        key(r.method, r.path),
      );
      expect(secured.sort()).toEqual(protectedRoutes.sort());
      // The others say so with an empty requirement (anonymous access), as Redocly asks.
      const anonymous = operations.filter((o) => !secured.includes(o.key));
      expect(anonymous.filter((o) => JSON.stringify(o.security) !== '[{}]')).toEqual([]);
    });

    it('documents every error response as application/problem+json, the type it is served as', () => {
      const errors = operations.flatMap((o) =>
        Object.entries(o.responses)
          .filter(([status]) => Number(status) >= 400)
          .map(([status, response]) => [`${o.key} ${status}`, Object.keys(response.content ?? {})]),
      );
      expect(errors.length).toBeGreaterThan(ROUTES.length);
      for (const [where, types] of errors) {
        expect({ where, types }).toEqual({ where, types: ['application/problem+json'] });
      }
    });

    // 403 on every route that refuses some caller: the session routes refuse API keys, the
    // others some group (and a user with no group, whom the database admits:
    // test/openapi.e2e-spec.ts).
    it('documents 401 on every protected route and 403 on every route that refuses someone', () => {
      const byKey = new Map(operations.map((o) => [o.key, o]));
      for (const route of ROUTES.filter((r) => r.path !== '/docs-json')) {
        const where = key(route.method, route.path);
        const responses = Object.keys(byKey.get(where)!.responses);
        const answers = Object.values(route.expected);
        // (A public route may document a 401 of its own: bad credentials at sign-in.)
        if (answers.includes(401))
          expect({ where, responses }).toEqual({
            where,
            responses: expect.arrayContaining(['401']),
          });
        expect({ where, 403: responses.includes('403') }).toEqual({
          where,
          403: answers.includes(403),
        });
      }
    });

    it('describes the users routes with their bodies, results and errors', () => {
      const users = document.paths['/api/users'];
      const user = document.paths['/api/users/{id}'];
      const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
      const json = (operation: Operation, status: string) =>
        operation.responses[status].content['application/json'].schema;
      const requestSchema = (operation: Operation) =>
        operation.requestBody?.content['application/json'].schema;

      expect(json(users.get, '200')).toEqual(ref('UserListDto'));
      expect(requestSchema(users.post)).toEqual(ref('CreateUserDto'));
      expect(json(users.post, '201')).toEqual(ref('UserDto'));
      expect(Object.keys(users.post.responses)).toEqual(expect.arrayContaining(['400', '409']));
      expect(user.patch.parameters).toEqual([
        expect.objectContaining({ name: 'id', in: 'path', required: true }),
      ]);
      expect(requestSchema(user.patch)).toEqual(ref('UpdateUserDto'));
      expect(json(user.patch, '200')).toEqual(ref('UserDto'));
      expect(Object.keys(user.patch.responses)).toEqual(
        expect.arrayContaining(['400', '404', '409']),
      );

      const schemas = document.components.schemas;
      expect(Object.keys(schemas.UserDto.properties ?? {}).sort()).toEqual(
        ['created_at', 'groups', 'id', 'is_active', 'updated_at', 'username'].sort(),
      );
      expect(schemas.CreateUserDto.required?.sort()).toEqual(['groups', 'password', 'username']);
      expect(Object.keys(schemas.UpdateUserDto.properties ?? {}).sort()).toEqual([
        'groups',
        'is_active',
        'password',
      ]);
      expect(schemas.UpdateUserDto.required ?? []).toEqual([]);
    });
  });
});
