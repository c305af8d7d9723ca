// Events in the real service: posting one (high and critical raise an enriched alert in the same
// statement, atomically), validation of every field, listing with filters and both paging
// styles, reading one, and who may do what.
import { createHash } from 'node:crypto';
import type { ApiResponse } from './support/api-client.js';
import { expectProblem, problemFields } from './support/problem.js';
import { startTestApp, TestApp, TestUser } from './support/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const MINUTE = 60_000;
/** In the shipped Tor exit snapshot (TOR_REFRESH_HOURS=0 in tests), and geolocated by DB-IP. */
const TOR_EXIT = '23.129.64.130';

const EVENT_KEYS = [
  'id',
  'source',
  'event_type',
  'severity',
  'description',
  'occurred_at',
  'received_at',
  'src_ip',
  'dst_ip',
  'attributes',
  'created_by',
  'alert',
];

interface AlertRow {
  id: string;
  source: string;
  external_id: string | null;
  fingerprint: Buffer;
  origin: string;
  severity: string;
  status: string;
  description: string;
  created_at: Date;
  src_ip: string | null;
  dst_ip: string | null;
  country: string | null;
  user_name: string | null;
  enrichment_type: string;
  enrichment: Record<string, any>;
  event_id: string;
}

const body = (overrides: Record<string, unknown> = {}) => ({
  source: 'edr',
  event_type: 'credential_dumping',
  severity: 'high',
  description: 'LSASS memory read by an unsigned process on fin-ws-042',
  src_ip: '10.20.30.40',
  dst_ip: TOR_EXIT,
  attributes: { host: 'fin-ws-042', process: { name: 'x.exe', pid: 4242 }, tags: ['a', 1, null] },
  ...overrides,
});

describe('Events API (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let analyst: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  async function signIn() {
    await t.reset();
    admin = await t.user('root', ['admin']);
    analyst = await t.user('ana', ['analyst']);
    // context enrichment has something to find
    await t.db.query(
      `INSERT INTO context_ip_users (network, user_name) VALUES ('10.20.0.0/16', 'alice')`,
    );
    await t.db.query(`INSERT INTO context_assets (source, owner_team) VALUES ('edr', 'blue-team')`);
  }

  const post = (payload: unknown, token = admin.token) =>
    t.api.post('/api/events', { token, body: payload });
  const get = (path: string, token = admin.token) => t.api.get(path, { token });

  async function count(table: 'events' | 'alerts'): Promise<number> {
    const { rows } = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    return rows[0].n;
  }

  async function alertsOf(eventId: string): Promise<AlertRow[]> {
    const { rows } = await t.db.query<AlertRow>(
      `SELECT id, source, external_id, fingerprint, origin, severity, status, description,
              created_at, host(src_ip) AS src_ip, host(dst_ip) AS dst_ip, country, user_name,
              enrichment_type, enrichment, event_id
       FROM alerts WHERE event_id = $1`,
      [eventId],
    );
    return rows;
  }

  describe('POST /api/events', () => {
    beforeAll(signIn);

    it.each(['high', 'critical'])(
      'stores a %s event and exactly one open, enriched alert for it',
      async (severity) => {
        const payload = body({ severity, occurred_at: '2024-05-01T12:00:00.123Z' });
        const before = Date.now();
        const res = await post(payload);

        expect(res.status).toBe(201);
        expect(Object.keys(res.body)).toEqual(EVENT_KEYS);
        expect(res.body).toEqual({
          id: expect.stringMatching(UUID),
          source: 'edr',
          event_type: 'credential_dumping',
          severity,
          description: payload.description,
          occurred_at: '2024-05-01T12:00:00.123Z',
          received_at: expect.stringMatching(ISO_UTC),
          src_ip: '10.20.30.40',
          dst_ip: TOR_EXIT,
          attributes: payload.attributes,
          created_by: { id: admin.id, username: 'root' },
          alert: { id: expect.stringMatching(UUID), status: 'open' },
        });
        expect(new Date(res.body.received_at).getTime()).toBeGreaterThanOrEqual(before - 1000);

        const alerts = await alertsOf(res.body.id);
        expect(alerts).toHaveLength(1);
        const [alert] = alerts;
        expect(alert).toMatchObject({
          id: res.body.alert.id,
          source: 'edr',
          external_id: null,
          origin: 'event',
          severity,
          status: 'open',
          description: payload.description,
          src_ip: '10.20.30.40',
          dst_ip: TOR_EXIT,
          user_name: 'alice',
          enrichment_type: 'tor_exit_node',
          event_id: res.body.id,
        });
        expect(alert.created_at.toISOString()).toBe('2024-05-01T12:00:00.123Z');
        expect(alert.fingerprint.toString('hex')).toBe(
          createHash('sha256').update(`event:${res.body.id}`).digest('hex'),
        );
        expect(alert.country).toMatch(/^[A-Z]{2}$/);
        expect(alert.enrichment).toMatchObject({
          geo: { dst: { scope: 'public', country_code: alert.country } },
          tor: { dst_listed: true, src_listed: false },
          context: {
            user: 'alice',
            matched_on: 'src_ip',
            asset: { owner_team: 'blue-team', criticality: null },
          },
          errors: [],
        });

        const shown = await get(`/api/alerts/${alert.id}`);
        expect(shown.status).toBe(200);
        expect(shown.body).toMatchObject({
          id: alert.id,
          origin: 'event',
          event_id: res.body.id,
          status: 'open',
          severity,
          external_id: null,
          created_at: '2024-05-01T12:00:00.123Z',
          user: 'alice',
          country: alert.country,
          enrichment_type: 'tor_exit_node',
          enrichment: { tor: { dst_listed: true }, errors: [] },
        });
      },
    );

    it.each(['low', 'medium'])('stores a %s event and raises no alert', async (severity) => {
      const alertsBefore = await count('alerts');
      const res = await post(body({ severity }));

      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ severity, alert: null });
      expect(await alertsOf(res.body.id)).toEqual([]);
      expect(await count('alerts')).toBe(alertsBefore);
    });

    it.each<[string, string]>([
      ['HIGH', 'high'],
      ['Critical', 'critical'],
      [' low ', 'low'],
    ])('reads the severity %j in any case and stores it lower-case', async (given, stored) => {
      const res = await post(body({ severity: given }));
      expect(res.status).toBe(201);
      expect(res.body.severity).toBe(stored);
      expect(res.body.alert === null).toBe(stored === 'low');
      const { rows } = await t.db.query('SELECT severity FROM events WHERE id = $1', [res.body.id]);
      expect(rows).toEqual([{ severity: stored }]);
    });

    it('stores the minimal event with defaults: now, no addresses, empty attributes', async () => {
      const before = Date.now();
      const res = await post({
        source: 'ids',
        event_type: 'scan',
        severity: 'low',
        description: 'x',
      });
      const after = Date.now();

      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ src_ip: null, dst_ip: null, attributes: {}, alert: null });
      const occurred = new Date(res.body.occurred_at).getTime();
      expect(occurred).toBeGreaterThanOrEqual(before - 1000);
      expect(occurred).toBeLessThanOrEqual(after + 1000);
      expect(res.body.occurred_at).toBe(res.body.received_at);
    });

    it('trims source, event_type and description, reads an offset, accepts null addresses', async () => {
      const res = await post(
        body({
          source: '  edr ',
          event_type: '\tscan ',
          description: '  padded  ',
          severity: 'medium',
          occurred_at: '2024-05-01T14:00:00+02:00',
          src_ip: null,
          dst_ip: '2001:DB8::1',
        }),
      );
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        source: 'edr',
        event_type: 'scan',
        description: 'padded',
        occurred_at: '2024-05-01T12:00:00.000Z',
        src_ip: null,
        dst_ip: '2001:db8::1',
      });
    });

    it('reads a bare date as midnight UTC', async () => {
      const res = await post(body({ severity: 'low', occurred_at: '2024-05-01' }));
      expect(res.status).toBe(201);
      expect(res.body.occurred_at).toBe('2024-05-01T00:00:00.000Z');
    });

    it('accepts an occurred_at up to 5 minutes ahead (clock skew)', async () => {
      const ahead = new Date(Date.now() + 4 * MINUTE).toISOString();
      const res = await post(body({ severity: 'low', occurred_at: ahead }));
      expect(res.status).toBe(201);
      expect(res.body.occurred_at).toBe(ahead);
    });

    it.each<[string, Record<string, unknown>]>([
      ['a description of 5000 characters', { description: 'd'.repeat(5000), severity: 'low' }],
      [
        'a critical description of exactly 20 non-blank characters',
        { description: ' 0123456789 0123456789 ', severity: 'critical' },
      ],
      [
        'attributes of exactly 16 KiB as JSON',
        { attributes: { k: 'é'.repeat((16384 - '{"k":""}'.length) / 2) }, severity: 'low' },
      ],
      ['a source of 64 characters', { source: 's'.repeat(64), severity: 'low' }],
    ])('accepts %s', async (_, overrides) => {
      const res = await post(body(overrides));
      expect(res.status).toBe(201);
    });

    it('keeps the attributes as given, nested values and Unicode included', async () => {
      const attributes = {
        nested: { deeper: { list: [1, 2.5, true, null, 'x'] } },
        unicode: 'naïve 😀',
        text: 'a literal \\u0000 is fine',
        empty: {},
      };
      const res = await post(body({ severity: 'low', attributes }));
      expect(res.status).toBe(201);
      expect(res.body.attributes).toEqual(attributes);
      expect((await get(`/api/events/${res.body.id}`)).body.attributes).toEqual(attributes);
    });

    describe('refusing', () => {
      let eventsBefore: number;
      let alertsBefore: number;

      beforeAll(async () => {
        eventsBefore = await count('events');
        alertsBefore = await count('alerts');
      });

      it.each<[string, string, Record<string, unknown>]>([
        [
          'description',
          'a critical event with a 5-character description',
          { severity: 'critical', description: 'short' },
        ],
        [
          'description',
          'a critical event with 19 non-blank characters padded with spaces',
          { severity: 'critical', description: `   ${'abcdefghi 0123456789'}${' '.repeat(30)}` },
        ],
        [
          'description',
          'a critical event (any case) with a short description',
          { severity: 'CRITICAL', description: 'too short' },
        ],
        ['description', 'a blank description', { description: '   ' }],
        ['description', 'a description of 5001 characters', { description: 'd'.repeat(5001) }],
        ['description', 'a description with NUL', { description: 'nul \u0000 here' }],
        ['description', 'no description', { description: undefined }],
        ['source', 'a blank source', { source: '   ' }],
        ['source', 'a source of 65 characters', { source: 's'.repeat(65) }],
        ['source', 'a numeric source', { source: 42 }],
        ['event_type', 'no event_type', { event_type: undefined }],
        ['event_type', 'an event_type with a control character', { event_type: 'a\u0007b' }],
        ['severity', 'an unknown severity', { severity: 'urgent' }],
        ['severity', 'a numeric severity', { severity: 3 }],
        ['src_ip', 'a malformed src_ip', { src_ip: '10.0.0.256' }],
        ['src_ip', 'a network as src_ip', { src_ip: '10.0.0.0/8' }],
        ['dst_ip', 'a host name as dst_ip', { dst_ip: 'example.com' }],
        ['dst_ip', 'an IPv6 address with a zone', { dst_ip: 'fe80::1%eth0' }],
        ['attributes', 'attributes as an array', { attributes: [{ host: 'x' }] }],
        ['attributes', 'attributes as null', { attributes: null }],
        ['attributes', 'attributes as a string', { attributes: '{"host":"x"}' }],
        ['attributes', 'attributes over 16 KiB', { attributes: { k: 'x'.repeat(16_380) } }],
        ['attributes', 'attributes holding a NUL', { attributes: { k: 'a\u0000b' } }],
        ['attributes', 'attributes holding half a surrogate pair', { attributes: { k: '\ud800' } }],
        ['occurred_at', 'an occurred_at that is not a date', { occurred_at: 'yesterday' }],
        ['occurred_at', 'an occurred_at without a zone', { occurred_at: '2024-05-01T12:00:00' }],
        ['occurred_at', 'an occurred_at 6 minutes ahead', { occurred_at: 'AHEAD' }],
        ['occurred_at', 'a null occurred_at', { occurred_at: null }],
        ['severity_level', 'an unknown field', { severity_level: 3 }],
      ])('answers 400 naming %s for %s', async (field, _, overrides) => {
        const payload =
          overrides.occurred_at === 'AHEAD'
            ? { ...overrides, occurred_at: new Date(Date.now() + 6 * MINUTE).toISOString() }
            : overrides;
        const res = await post(body(payload));
        expectProblem(res, 400);
        expect(problemFields(res)).toEqual([field]);
        expect(res.body.errors[0].message).toContain(field);
      });

      it('says why a critical description is too short and what the future limit is', async () => {
        const short = await post(body({ severity: 'critical', description: 'short' }));
        expect(short.body.errors).toEqual([
          {
            field: 'description',
            message: expect.stringMatching(/critical event .* at least 20 non-whitespace/),
          },
        ]);
        const ahead = await post(
          body({ occurred_at: new Date(Date.now() + 10 * MINUTE).toISOString() }),
        );
        expect(ahead.body.errors[0].message).toMatch(/5 minutes in the future/);
      });

      it('names every offending field at once', async () => {
        const res = await post({
          source: '',
          severity: 'urgent',
          description: 'x',
          src_ip: 'nope',
          attributes: [],
          extra: true,
        });
        expectProblem(res, 400);
        expect(problemFields(res)).toEqual(
          ['attributes', 'event_type', 'extra', 'severity', 'source', 'src_ip'].sort(),
        );
      });

      it('stored none of the refused events', async () => {
        expect(await count('events')).toBe(eventsBefore);
        expect(await count('alerts')).toBe(alertsBefore);
      });

      it('answers 400 for a body that is not a JSON object', async () => {
        expectProblem(await post([body()]), 400);
        expectProblem(
          await t.api.post('/api/events', {
            token: admin.token,
            raw: '{"source":',
            headers: { 'content-type': 'application/json' },
          }),
          400,
        );
      });
    });

    it('stores neither event nor alert when the alert cannot be stored', async () => {
      // Only the alert half of the statement can fail on this constraint.
      await t.db.query(
        `ALTER TABLE alerts ADD CONSTRAINT t_no_event_alerts CHECK (origin <> 'event') NOT VALID`,
      );
      try {
        const eventsBefore = await count('events');
        const alertsBefore = await count('alerts');
        const marker = `atomicity probe ${Date.now()} with enough characters`;

        const res = await post(body({ severity: 'critical', description: marker }));

        expectProblem(res, 500);
        expect(res.body.detail).toBe('An unexpected error occurred');
        expect(await count('events')).toBe(eventsBefore);
        expect(await count('alerts')).toBe(alertsBefore);
        const { rows } = await t.db.query('SELECT 1 FROM events WHERE description = $1', [marker]);
        expect(rows).toEqual([]);

        // the same statement still stores an event that raises no alert
        expect((await post(body({ severity: 'low' }))).status).toBe(201);
      } finally {
        await t.db.query('ALTER TABLE alerts DROP CONSTRAINT t_no_event_alerts');
      }
      expect((await post(body({ severity: 'high' }))).status).toBe(201);
    });
  });

  describe('GET /api/events', () => {
    interface Seed {
      key: string;
      source: string;
      eventType: string;
      severity: 'low' | 'medium' | 'high' | 'critical';
      at: string;
    }
    type Stored = Seed & { id: string; alertId: string | null };

    const SOURCES = ['edr', 'ids', 'proxy'];
    const TYPES = ['scan', 'login_failed'];
    const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
    let stored: Stored[];
    let keyById: Map<string, string>;
    let seededAt: number;

    beforeAll(async () => {
      await signIn();
      seededAt = Date.now();
      const seeds: Seed[] = [];
      for (let i = 0; i < 14; i++) {
        seeds.push({
          key: `e${i}`,
          source: SOURCES[i % 3],
          eventType: TYPES[i % 2],
          severity: SEVERITIES[i % 4],
          at: new Date(seededAt - (10 + i * 37) * MINUTE).toISOString(),
        });
      }
      // three at the same instant: paging must break ties by id
      const tied = new Date(seededAt - 200 * MINUTE).toISOString();
      for (let i = 0; i < 3; i++) {
        seeds.push({ ...seeds[i], key: `tie${i}`, at: tied });
      }
      stored = [];
      for (const seed of seeds) {
        const res = await post({
          source: seed.source,
          event_type: seed.eventType,
          severity: seed.severity,
          description: `Event ${seed.key}, described at length for critical ones`,
          occurred_at: seed.at,
        });
        expect(res.status).toBe(201);
        stored.push({ ...seed, id: res.body.id, alertId: res.body.alert?.id ?? null });
      }
      keyById = new Map(stored.map((s) => [s.id, s.key]));
    });

    const newestFirst = (a: Stored, b: Stored) =>
      a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1;
    const expected = (match: (s: Stored) => boolean) =>
      stored
        .filter(match)
        .sort(newestFirst)
        .map((s) => s.key);

    async function keys(query: string): Promise<string[]> {
      const res = await get(`/api/events?limit=500${query ? `&${query}` : ''}`);
      expect(res.status).toBe(200);
      return (res.body.events as Array<{ id: string }>).map((e) => keyById.get(e.id)!);
    }

    it('lists every event newest first, each with its alert, and the paging members', async () => {
      const res = await get('/api/events');

      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual([
        'events',
        'total',
        'total_capped',
        'limit',
        'offset',
        'has_more',
        'next_cursor',
      ]);
      expect(res.body).toMatchObject({
        total: stored.length,
        total_capped: false,
        limit: 100,
        offset: 0,
        has_more: false,
        next_cursor: null,
      });
      expect(res.body.events.map((e: { id: string }) => keyById.get(e.id))).toEqual(
        expected(() => true),
      );
      for (const event of res.body.events) {
        const seed = stored.find((s) => s.id === event.id)!;
        expect(Object.keys(event)).toEqual(EVENT_KEYS);
        expect(event).toMatchObject({
          source: seed.source,
          event_type: seed.eventType,
          severity: seed.severity,
          occurred_at: seed.at,
          created_by: { id: admin.id, username: 'root' },
          alert: seed.alertId ? { id: seed.alertId, status: 'open' } : null,
        });
        expect(seed.alertId !== null).toBe(['high', 'critical'].includes(seed.severity));
      }
    });

    it("shows the alert's current status", async () => {
      const seed = stored.find((s) => s.alertId)!;
      await t.db.query(`UPDATE alerts SET status = 'acknowledged' WHERE id = $1`, [seed.alertId]);
      try {
        const res = await get(`/api/events?limit=500`);
        const event = res.body.events.find((e: { id: string }) => e.id === seed.id);
        expect(event.alert).toEqual({ id: seed.alertId, status: 'acknowledged' });
        expect((await get(`/api/events/${seed.id}`)).body.alert.status).toBe('acknowledged');
      } finally {
        await t.db.query(`UPDATE alerts SET status = 'open' WHERE id = $1`, [seed.alertId]);
      }
    });

    it.each<[string, (s: Stored) => boolean]>([
      ['severity=high', (s) => s.severity === 'high'],
      ['severity=low,medium', (s) => ['low', 'medium'].includes(s.severity)],
      ['severity=CRITICAL', (s) => s.severity === 'critical'],
      ['severity=low&severity=critical', (s) => ['low', 'critical'].includes(s.severity)],
      ['source=ids', (s) => s.source === 'ids'],
      ['event_type=scan', (s) => s.eventType === 'scan'],
      ['source=edr&severity=high,critical', (s) => s.source === 'edr' && s.alertId !== null],
      [
        'source=proxy&event_type=login_failed',
        (s) => s.source === 'proxy' && s.eventType === 'login_failed',
      ],
    ])('filters by %s', async (query, match) => {
      const want = expected(match);
      expect(want.length).toBeGreaterThan(0);
      expect(want.length).toBeLessThan(stored.length);
      expect(await keys(query)).toEqual(want);
    });

    it('filters by since and until, both inclusive, on occurred_at', async () => {
      const sorted = [...stored].sort(newestFirst);
      const newer = sorted[2];
      const older = sorted[11];
      const inWindow = (s: Stored) => s.at >= older.at && s.at <= newer.at;

      expect(await keys(`since=${older.at}&until=${newer.at}`)).toEqual(expected(inWindow));
      expect(await keys(`since=${older.at}`)).toEqual(expected((s) => s.at >= older.at));
      expect(await keys(`until=${newer.at}`)).toEqual(expected((s) => s.at <= newer.at));
      expect(await keys(`since=${newer.at}&until=${newer.at}`)).toEqual([newer.key]);
      expect(await keys(`since=${older.at}&until=${newer.at}&severity=high`)).toEqual(
        expected((s) => inWindow(s) && s.severity === 'high'),
      );
    });

    it('answers an empty page when nothing matches', async () => {
      const res = await get('/api/events?source=nowhere');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        events: [],
        total: 0,
        total_capped: false,
        limit: 100,
        offset: 0,
        has_more: false,
        next_cursor: null,
      });
    });

    it('sorts oldest first with sort=occurred_at', async () => {
      expect(await keys('sort=occurred_at')).toEqual([...expected(() => true)].reverse());
    });

    describe.each(['-occurred_at', 'occurred_at'])('keyset paging under sort=%s', (sort) => {
      it.each([1, 2, 5, 17])(
        'visits every event exactly once, in order, %i per page',
        async (limit) => {
          const visited: string[] = [];
          let cursor: string | null = null;
          let pages = 0;
          do {
            const res: ApiResponse = await get(
              `/api/events?sort=${sort}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
            );
            expect(res.status).toBe(200);
            expect(res.body.total).toBe(stored.length);
            expect(res.body.offset).toBe(pages === 0 ? 0 : null);
            visited.push(...res.body.events.map((e: { id: string }) => keyById.get(e.id)!));
            cursor = res.body.next_cursor;
            expect(res.body.has_more).toBe(cursor !== null);
            pages++;
          } while (cursor);
          const order = expected(() => true);
          expect(visited).toEqual(sort === 'occurred_at' ? [...order].reverse() : order);
          expect(pages).toBe(Math.ceil(stored.length / limit));
        },
      );

      it('pages a filtered list by cursor', async () => {
        const query = `sort=${sort}&severity=high&limit=2`;
        const visited: string[] = [];
        let cursor: string | null = null;
        do {
          const res: ApiResponse = await get(
            `/api/events?${query}${cursor ? `&cursor=${cursor}` : ''}`,
          );
          visited.push(...res.body.events.map((e: { id: string }) => keyById.get(e.id)!));
          cursor = res.body.next_cursor;
        } while (cursor);
        const order = expected((s) => s.severity === 'high');
        expect(visited).toEqual(sort === 'occurred_at' ? [...order].reverse() : order);
      });
    });

    it('pages by offset', async () => {
      const order = expected(() => true);
      for (let offset = 0; offset < stored.length; offset += 5) {
        const res = await get(`/api/events?limit=5&offset=${offset}`);
        expect(res.body.events.map((e: { id: string }) => keyById.get(e.id))).toEqual(
          order.slice(offset, offset + 5),
        );
        expect(res.body).toMatchObject({
          total: stored.length,
          offset,
          has_more: offset + 5 < stored.length,
        });
      }
    });

    it.each<[string, string]>([
      ['severity', 'severity=urgent'],
      ['severity', 'severity='],
      ['source', `source=${'s'.repeat(65)}`],
      ['event_type', 'event_type='],
      ['since', 'since=yesterday'],
      ['until', 'since=2024-05-02T00:00:00Z&until=2024-05-01T00:00:00Z'],
      ['sort', 'sort=created_at'],
      ['sort', 'sort=-received_at'],
      ['limit', 'limit=0'],
      ['limit', 'limit=501'],
      ['offset', 'offset=10001'],
      ['cursor', 'cursor=garbage'],
      ['status', 'status=open'],
    ])('answers 400 naming %s for ?%s', async (field, query) => {
      const res = await get(`/api/events?${query}`);
      expectProblem(res, 400);
      expect(problemFields(res)).toEqual([field]);
    });

    it('refuses a cursor made under the other sort', async () => {
      const first = await get('/api/events?limit=2');
      const res = await get(`/api/events?sort=occurred_at&cursor=${first.body.next_cursor}`);
      expectProblem(res, 400);
      expect(problemFields(res)).toEqual(['cursor']);
    });

    it('refuses a cursor of the alert list (another sort column)', async () => {
      await t.db.query(
        `INSERT INTO alerts (source, external_id, fingerprint, severity, description, created_at)
         SELECT 'fw', 'x' || g, decode(md5(g::text), 'hex'), 'low', 'a', now() - g * interval '1 s'
         FROM generate_series(1, 3) g`,
      );
      const alerts = await get('/api/alerts?limit=1');
      const res = await get(`/api/events?cursor=${alerts.body.next_cursor}`);
      expectProblem(res, 400);
      expect(problemFields(res)).toEqual(['cursor']);
    });

    describe('GET /api/events/{id}', () => {
      it('answers the event as the list shows it', async () => {
        const seed = stored.find((s) => s.alertId)!;
        const one = await get(`/api/events/${seed.id}`);
        const listed = await get(`/api/events?limit=500`);

        expect(one.status).toBe(200);
        expect(one.body).toEqual(listed.body.events.find((e: { id: string }) => e.id === seed.id));
        expect(one.body.alert).toEqual({ id: seed.alertId, status: 'open' });
      });

      it('answers what POST answered', async () => {
        const created = await post(body({ severity: 'critical' }));
        const one = await get(`/api/events/${created.body.id}`);
        expect(one.body).toEqual(created.body);
      });

      it('shows created_by as null once the user is gone', async () => {
        const other = await t.user('temp-admin', ['admin']);
        const created = await post(body({ severity: 'low' }), other.token);
        await t.db.query('DELETE FROM users WHERE id = $1', [other.id]);
        expect((await get(`/api/events/${created.body.id}`)).body.created_by).toBeNull();
      });

      it('answers 404 for an id no event has', async () => {
        const res = await get(`/api/events/${UNKNOWN_ID}`);
        expect(expectProblem(res, 404).detail).toContain(UNKNOWN_ID);
      });

      it.each(['not-a-uuid', '12345', `${UNKNOWN_ID}x`, '00000000-0000-0000-0000-000000000000'])(
        'answers 400 naming id for the id %s',
        async (id) => {
          const res = await get(`/api/events/${id}`);
          expectProblem(res, 400);
          expect(problemFields(res)).toEqual(['id']);
        },
      );
    });
  });

  describe('access', () => {
    let id: string;

    beforeAll(async () => {
      await signIn();
      id = (await post(body({ severity: 'low' }))).body.id;
    });

    const routes: Array<['GET' | 'POST', string]> = [
      ['POST', '/api/events'],
      ['GET', '/api/events'],
      ['GET', '/api/events/{id}'],
    ];
    const call = (method: 'GET' | 'POST', path: string, token?: string) =>
      t.api.call(method, path.replace('{id}', id), {
        token,
        body: method === 'POST' ? body({ severity: 'high' }) : undefined,
      });

    it.each(routes)('refuses %s %s to anonymous callers (401)', async (method, path) => {
      const res = await call(method, path);
      expectProblem(res, 401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    it.each(routes)('refuses %s %s with a bad token (401)', async (method, path) => {
      expectProblem(await call(method, path, 'not.a.token'), 401);
    });

    it.each(routes)('refuses %s %s to an analyst (403)', async (method, path) => {
      expectProblem(await call(method, path, analyst.token), 403);
    });

    it('stored nothing for the refused posts', async () => {
      expect(await count('events')).toBe(1);
      expect(await count('alerts')).toBe(0);
    });

    it.each(routes)('lets an admin call %s %s', async (method, path) => {
      const res = await call(method, path, admin.token);
      expect(res.status).toBe(method === 'POST' ? 201 : 200);
    });

    it('documents the three routes, their bodies and responses in the OpenAPI document', async () => {
      const document = (await t.api.get('/docs-json')).body;
      const create = document.paths['/api/events'].post;
      const list = document.paths['/api/events'].get;
      const one = document.paths['/api/events/{id}'].get;
      for (const operation of [create, list, one]) {
        expect(operation.tags).toEqual(['events']);
        expect(operation.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
        expect(Object.keys(operation.responses)).toEqual(
          expect.arrayContaining(['400', '401', '403']),
        );
      }
      expect(Object.keys(create.responses)).toContain('201');
      expect(Object.keys(one.responses)).toContain('404');
      expect(list.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
        'cursor',
        'event_type',
        'ip',
        'limit',
        'offset',
        'severity',
        'since',
        'sort',
        'source',
        'until',
      ]);
      const schemas = document.components.schemas;
      expect(Object.keys(schemas.EventDto.properties)).toEqual(EVENT_KEYS);
      expect(Object.keys(schemas.CreateEventDto.properties).sort()).toEqual(
        [
          'attributes',
          'description',
          'dst_ip',
          'event_type',
          'occurred_at',
          'severity',
          'source',
          'src_ip',
        ].sort(),
      );
      expect(schemas.CreateEventDto.required.sort()).toEqual(
        ['description', 'event_type', 'severity', 'source'].sort(),
      );
      expect(schemas.CreateEventDto.properties.occurred_at.description).toMatch(
        /5 minutes in the future.*clock skew/s,
      );
      expect(Object.keys(schemas.EventPageDto.properties).sort()).toEqual(
        ['events', 'has_more', 'limit', 'next_cursor', 'offset', 'total', 'total_capped'].sort(),
      );
    });
  });
});
