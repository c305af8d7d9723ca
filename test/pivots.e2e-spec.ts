// Pivots in the real service (issue 16): `ip=<address or CIDR>` on the alert and event lists,
// and GET /api/alerts/{id}/related. Alerts are seeded with known addresses, users and times; each
// expectation is computed here from what was seeded (a plain predicate), and lists are read to
// the end through next_cursor.
import { inNetwork, parseIp } from '../src/enrichment/ip-address.js';
import { expectProblem, problemFields } from './support/problem.js';
import { startTestApp, TestApp, TestUser } from './support/test-app.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const SOURCES = ['10.1.2.3', '10.200.0.9', '192.168.1.5', '172.16.0.4', '2001:db8::1', null];
const DESTINATIONS = [
  '185.220.101.34',
  '185.220.101.35',
  '8.8.8.8',
  '10.9.9.9',
  '2001:db8:1::7',
  '2001:db8::1',
  null,
];
const USERS = ['alice', 'bob', null];

interface Seed {
  key: string;
  at: number;
  src: string | null;
  dst: string | null;
  user: string | null;
}
type Stored = Seed & { id: string };

/**
 * 120 alerts over four days, the address pools crossed so each address appears on both sides
 * (2001:db8::1 is a source and a destination, 10.9.9.9 an internal destination); then 60 more
 * from 10.1.2.3 within an hour of each other (a group past the cap of 50), and two alerts exactly
 * 24 h, and 24 h and 1 ms, after the first of those.
 */
function seeds(now: number): Seed[] {
  const list: Seed[] = [];
  for (let i = 0; i < 120; i++) {
    list.push({
      key: `s${i}`,
      at: now - 4 * DAY + Math.floor((i * 4 * DAY) / 120) + (i % 7) * 1000,
      src: SOURCES[i % SOURCES.length],
      dst: DESTINATIONS[(i * 3 + (i >> 3)) % DESTINATIONS.length],
      user: USERS[(i >> 1) % USERS.length],
    });
  }
  const burst = now - 3 * DAY;
  for (let i = 0; i < 60; i++) {
    list.push({
      key: `b${i}`,
      at: burst + i * 60_000,
      src: '10.1.2.3',
      dst: i % 2 ? '8.8.8.8' : '185.220.101.34',
      user: i % 3 ? 'carol' : null,
    });
  }
  list.push({ key: 'edge-in', at: burst + DAY, src: '10.1.2.3', dst: null, user: null });
  list.push({ key: 'edge-out', at: burst + DAY + 1, src: '10.1.2.3', dst: null, user: null });
  return list;
}

/** Whether `address` lies in `network` (an address, or a CIDR). */
function within(address: string | null, network: string): boolean {
  if (address === null) return false;
  const [base, prefix] = network.split('/');
  const net = parseIp(base)!;
  const bits = prefix === undefined ? (net.family === 4 ? 32 : 128) : Number(prefix);
  return inNetwork(parseIp(address)!, net, bits);
}

const newestFirst = (a: Stored, b: Stored) => b.at - a.at || (b.id < a.id ? -1 : 1);

describe('Pivots (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let analyst: TestUser;
  let stored: Stored[];
  let keyOf: Map<string, string>;

  beforeAll(async () => {
    t = await startTestApp();
    await t.reset();
    admin = await t.user('root', ['admin']);
    analyst = await t.user('ana', ['analyst']);
    const now = Date.now();
    const list = seeds(now);
    const { rows } = await t.db.query<{ id: string; key: string }>(
      `INSERT INTO alerts (source, external_id, fingerprint, severity, description, created_at,
         src_ip, dst_ip, user_name)
       SELECT 'firewall', k, decode(md5(k), 'hex'), 'high', 'Pivot seed ' || k, at, src, dst, usr
       FROM unnest($1::text[], $2::timestamptz[], $3::inet[], $4::inet[], $5::text[])
         AS s(k, at, src, dst, usr)
       RETURNING id, external_id AS key`,
      [
        list.map((s) => s.key),
        list.map((s) => new Date(s.at).toISOString()),
        list.map((s) => s.src),
        list.map((s) => s.dst),
        list.map((s) => s.user),
      ],
    );
    const idOf = new Map(rows.map((r) => [r.key, r.id]));
    stored = list.map((s) => ({ ...s, id: idOf.get(s.key)! }));
    keyOf = new Map(stored.map((s) => [s.id, s.key]));
  });
  afterAll(() => t.close());

  /** Every alert the list serves for `query`, following next_cursor; and the first page's total. */
  async function listAll(path: string, query: string, token = analyst.token) {
    const keys: string[] = [];
    let cursor: string | null = null;
    let total: number | undefined;
    let pages = 0;
    do {
      const res = await t.api.get(
        `${path}?${query}&limit=17${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token },
      );
      expect(res.status).toBe(200);
      total ??= res.body.total;
      const rows = (res.body.alerts ?? res.body.events) as Array<{ id: string }>;
      keys.push(...rows.map((r) => keyOf.get(r.id) ?? r.id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor && pages < 50);
    return { keys, total };
  }

  describe('GET /api/alerts?ip=', () => {
    it.each([
      ['10.0.0.0/8', 'a network: internal sources and the internal destination'],
      ['185.220.101.34', 'one address, a destination'],
      ['10.1.2.3', 'one address, a source'],
      ['2001:db8::1', 'an IPv6 address seen on both sides'],
      ['2001:db8::/32', 'an IPv6 network'],
      ['185.220.101.0/24', 'a /24'],
      ['203.0.113.0/24', 'a network no alert touches'],
    ])('ip=%s (%s) lists exactly the alerts with it on either side', async (ip) => {
      const want = stored
        .filter((s) => within(s.src, ip) || within(s.dst, ip))
        .sort(newestFirst)
        .map((s) => s.key);
      if (ip !== '203.0.113.0/24') {
        expect(want.length).toBeGreaterThan(17); // more than one page
        expect(want.length).toBeLessThan(stored.length);
      }

      const { keys, total } = await listAll('/api/alerts', `ip=${encodeURIComponent(ip)}`);

      expect(keys).toEqual(want);
      expect(total).toBe(want.length);
    });

    it('combines with the other filters', async () => {
      const want = stored
        .filter(
          (s) => (within(s.src, '10.0.0.0/8') || within(s.dst, '10.0.0.0/8')) && s.user === 'alice',
        )
        .sort(newestFirst)
        .map((s) => s.key);
      expect(want.length).toBeGreaterThan(0);
      const { keys } = await listAll('/api/alerts', 'ip=10.0.0.0/8&user=alice');
      expect(keys).toEqual(want);
    });

    it.each([
      ['10.1.0.0/8', /host bits set \(did you mean 10\.0\.0\.0\/8\?\)/],
      ['300.1.1.1', /IPv4 or IPv6 address or network/],
      ['10.0.0.0/33', /prefix length between 0 and 32/],
      ['fe80::1%25eth0', /IPv4 or IPv6 address or network/],
      ['10.0.0.1%20', /IPv4 or IPv6 address or network/],
      ['10/8', /IPv4 or IPv6 address or network/],
      ['10.0.0.1&ip=10.0.0.2', /given once/],
    ])('refuses ip=%s with a 400 naming ip', async (value, message) => {
      const res = await t.api.get(`/api/alerts?ip=${value}`, { token: analyst.token });
      const problem = expectProblem(res, 400);
      expect(problemFields(res)).toEqual(['ip']);
      expect(problem.errors[0].message).toMatch(message);
    });

    it('acts in bulk on the same alerts the filter lists', async () => {
      // `matched` counts what the filter selects, without changing anything (all are already open).
      const res = await t.api.post('/api/alerts/bulk', {
        token: admin.token,
        body: { filter: { ip: '2001:db8::/32' }, set: { status: 'open' } },
      });
      expect(res.status).toBe(200);
      expect(res.body.matched).toBe(
        stored.filter((s) => within(s.src, '2001:db8::/32') || within(s.dst, '2001:db8::/32'))
          .length,
      );
    });
  });

  describe('GET /api/events?ip=', () => {
    it('lists exactly the events with the address or network on either side', async () => {
      const events = [
        { src: '10.5.0.1', dst: '185.220.101.34' },
        { src: '192.168.9.9', dst: '10.5.0.2' },
        { src: '192.168.9.9', dst: '8.8.4.4' },
        { src: null, dst: '2001:db8::5' },
        { src: '2001:db8::5', dst: null },
      ];
      const ids: string[] = [];
      for (const [i, e] of events.entries()) {
        const res = await t.api.post('/api/events', {
          token: admin.token,
          body: {
            source: 'edr',
            event_type: 'dns',
            severity: 'low', // no alert: the alert expectations above stay as seeded
            description: `Pivot event ${i}`,
            ...(e.src && { src_ip: e.src }),
            ...(e.dst && { dst_ip: e.dst }),
          },
        });
        expect(res.status).toBe(201);
        ids.push(res.body.id);
      }
      const expected = (network: string) =>
        events
          .map((e, i) => ({ ...e, id: ids[i] }))
          .filter((e) => within(e.src, network) || within(e.dst, network))
          .map((e) => e.id)
          .reverse(); // newest first
      for (const network of ['10.5.0.0/16', '2001:db8::5', '185.220.101.34', '172.16.0.0/12']) {
        const { keys, total } = await listAll(
          '/api/events',
          `ip=${encodeURIComponent(network)}`,
          admin.token,
        );
        expect({ network, ids: keys }).toEqual({ network, ids: expected(network) });
        expect(total).toBe(expected(network).length);
      }
      expectProblem(await t.api.get('/api/events?ip=10.0.0.1/8', { token: admin.token }), 400);
    });
  });

  describe('GET /api/alerts/{id}/related', () => {
    /** The groups the definition gives for `anchor`, as the endpoint should serve them. */
    function expectedGroups(anchor: Stored) {
      const keys: Array<{ shared: string; value: string }> = [];
      if (anchor.src) keys.push({ shared: 'src_ip', value: anchor.src });
      if (anchor.dst && anchor.dst !== anchor.src)
        keys.push({ shared: 'dst_ip', value: anchor.dst });
      if (anchor.user) keys.push({ shared: 'user', value: anchor.user });
      return keys.map(({ shared, value }) => {
        const sharing = stored
          .filter(
            (s) =>
              s.id !== anchor.id &&
              Math.abs(s.at - anchor.at) <= DAY &&
              (shared === 'user' ? s.user === value : s.src === value || s.dst === value),
          )
          .sort(newestFirst)
          .map((s) => s.key);
        return {
          shared,
          value,
          total: sharing.length,
          total_capped: false,
          capped: sharing.length > 50,
          keys: sharing.slice(0, 50),
        };
      });
    }

    it.each(['b0', 's37', 's4', 's11', 's60', 's5', 's100'])(
      'groups the alerts related to %s exactly as defined',
      async (key) => {
        const anchor = stored.find((s) => s.key === key)!;
        const res = await t.api.get(`/api/alerts/${anchor.id}/related`, { token: analyst.token });

        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          alert_id: anchor.id,
          since: new Date(anchor.at - DAY).toISOString(),
          until: new Date(anchor.at + DAY).toISOString(),
          cap: 50,
        });
        const served = (res.body.groups as Array<Record<string, unknown>>).map(
          ({ alerts, ...group }) => ({
            ...group,
            keys: (alerts as Array<{ id: string }>).map((a) => keyOf.get(a.id)),
          }),
        );
        expect(served).toEqual(expectedGroups(anchor));
      },
    );

    it('caps a group at 50 alerts with its total, and bounds the window at exactly 24 h', async () => {
      const anchor = stored.find((s) => s.key === 'b0')!;
      const res = await t.api.get(`/api/alerts/${anchor.id}/related`, { token: analyst.token });
      const src = res.body.groups.find((g: { shared: string }) => g.shared === 'src_ip');
      expect(src).toMatchObject({ value: '10.1.2.3', capped: true });
      expect(src.total).toBeGreaterThan(60);
      expect(src.alerts).toHaveLength(50);
      // edge-in is 24 h after b0, edge-out 1 ms later: only the first is related. Both are the
      // newest of the group, so they would head its list.
      expect(keyOf.get(src.alerts[0].id)).toBe('edge-in');
      expect(src.alerts.map((a: { id: string }) => keyOf.get(a.id))).not.toContain('edge-out');
    });

    it('is 404 for an unknown alert and 400 for a malformed id', async () => {
      expectProblem(
        await t.api.get('/api/alerts/00000000-0000-4000-8000-000000000000/related', {
          token: analyst.token,
        }),
        404,
      );
      expectProblem(await t.api.get('/api/alerts/nope/related', { token: analyst.token }), 400);
    });
  });
});
