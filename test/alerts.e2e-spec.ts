import type { ApiResponse } from './support/api-client.js';
import { expectProblem, problemFields } from './support/problem.js';
import { startTestApp, TestApp, TestUser } from './support/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const MINUTE = 60_000;

interface Seed {
  key: string;
  source: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  status: 'open' | 'acknowledged' | 'resolved';
  country: string | null;
  user: string | null;
  enrichmentType: 'tor_exit_node' | 'clean';
  origin: 'upstream' | 'event';
  description: string;
  /** ISO with microseconds, UTC: sorts as text in time order. */
  at: string;
  assignee?: 'admin' | 'analyst';
}
type Stored = Seed & { id: string };

const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const STATUSES = ['open', 'acknowledged', 'resolved'] as const;
const SOURCES = ['firewall', 'ngfw', 'waf', 'vpn_gateway', 'ips'];
const COUNTRIES = ['US', 'DE', null, 'FR'];
const USERS = ['alice', 'bob', null];
const SPECIAL_DESCRIPTIONS = [
  'Discount 50% off at the proxy',
  'Disk 500 GB nearly full',
  'Wrote file a_b.txt',
  'Wrote file axb.txt',
  'PORT SCAN repeated from 10.0.0.7',
  'Port scan from 10.0.0.8',
  'Path C:\\temp\\x seen',
];

const micro = (ms: number, extra = '000') => new Date(ms).toISOString().replace('Z', `${extra}Z`);

/**
 * 36 alerts spread over three days, every filter value mixed with the others; five share one
 * created_at and two differ only below the millisecond, so paging must break ties by id.
 */
function seeds(now: number): Seed[] {
  const list: Seed[] = [];
  for (let i = 0; i < 29; i++) {
    list.push({
      key: `a${i}`,
      source: SOURCES[i % SOURCES.length],
      severity: SEVERITIES[i % 4],
      status: STATUSES[i % 3],
      country: COUNTRIES[i % 4],
      user: USERS[i % 3],
      enrichmentType: i % 4 === 1 ? 'tor_exit_node' : 'clean',
      origin: i % 5 === 3 ? 'event' : 'upstream',
      description: SPECIAL_DESCRIPTIONS[i] ?? `Alert number ${i}`,
      at: micro(now - (25 + i * 150) * MINUTE),
      assignee: i % 7 === 2 ? 'admin' : i % 7 === 4 ? 'analyst' : undefined,
    });
  }
  const tied = now - 600 * MINUTE + 17;
  for (let i = 0; i < 5; i++) {
    list.push({
      ...list[i],
      key: `tie${i}`,
      severity: i % 2 ? 'critical' : 'high',
      description: `Tied alert ${i}`,
      at: micro(tied),
      assignee: undefined,
    });
  }
  const ms = now - 900 * MINUTE + 5;
  list.push({
    ...list[7],
    key: 'us1',
    description: 'Sub-ms 1',
    at: micro(ms, '001'),
    assignee: undefined,
  });
  list.push({
    ...list[8],
    key: 'us2',
    description: 'Sub-ms 2',
    at: micro(ms, '999'),
    assignee: undefined,
  });
  return list;
}

const newestFirst = (a: Stored, b: Stored) =>
  a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1;

describe('Alerts API (e2e)', () => {
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
  }

  async function insert(seed: Seed): Promise<Stored> {
    const assignee = seed.assignee === 'admin' ? admin.id : seed.assignee ? analyst.id : null;
    const { rows } = await t.db.query<{ id: string }>(
      `INSERT INTO alerts (source, external_id, fingerprint, origin, severity, status, description,
         created_at, src_ip, dst_ip, country, user_name, enrichment_type, assignee_id)
       VALUES ($1, $2, decode(md5($3), 'hex'), $4, $5, $6, $7, $8, '10.0.0.5', '198.51.100.7',
         $9, $10, $11, $12)
       RETURNING id`,
      [
        seed.source,
        seed.origin === 'event' ? null : `ext-${seed.key}`,
        seed.key,
        seed.origin,
        seed.severity,
        seed.status,
        seed.description,
        seed.at,
        seed.country,
        seed.user,
        seed.enrichmentType,
        assignee,
      ],
    );
    return { ...seed, id: rows[0].id };
  }

  const get = (path: string, token = admin.token) => t.api.get(path, { token });

  describe('listing', () => {
    let stored: Stored[];
    let seededAt: number;
    let keyById: Map<string, string>;

    beforeAll(async () => {
      await signIn();
      seededAt = Date.now();
      stored = [];
      for (const seed of seeds(seededAt)) stored.push(await insert(seed));
      keyById = new Map(stored.map((s) => [s.id, s.key]));
    });

    /** The keys of the listed alerts, in the order served (one page of up to 500). */
    async function keys(query: string): Promise<string[]> {
      const res = await get(`/api/alerts?limit=500${query ? `&${query}` : ''}`);
      expect(res.status).toBe(200);
      return (res.body.alerts as Array<{ id: string }>).map((a) => keyById.get(a.id)!);
    }
    const expected = (match: (s: Stored) => boolean) =>
      stored
        .filter(match)
        .sort(newestFirst)
        .map((s) => s.key);

    it('lists every alert newest first with the paging members', async () => {
      const res = await get('/api/alerts');

      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual([
        'alerts',
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
      expect(res.body.alerts.map((a: { id: string }) => keyById.get(a.id))).toEqual(
        expected(() => true),
      );
    });

    it('serves exactly the contract fields, snake_case, times in UTC, plain IPs (enrichment on request)', async () => {
      const seed = stored.find((s) => s.key === 'a2')!; // assigned to the admin
      await t.db.query(
        `UPDATE alerts SET src_ip = '10.1.2.3/32', dst_ip = '2001:db8::1/128', resolution = NULL,
           enrichment = $2 WHERE id = $1`,
        [
          seed.id,
          {
            geo: { country: 'FR', city: 'Paris' },
            tor: { listed: false },
            errors: [{ plugin: 'context', message: 'context table unavailable' }],
          },
        ],
      );
      const res = await get(
        `/api/alerts?q=${encodeURIComponent(seed.description)}&include=enrichment`,
      );

      expect(res.status).toBe(200);
      expect(res.body.alerts).toEqual([
        {
          id: seed.id,
          source: seed.source,
          external_id: `ext-${seed.key}`,
          origin: 'upstream',
          severity: seed.severity,
          status: seed.status,
          description: seed.description,
          created_at: new Date(seed.at).toISOString(),
          ingested_at: expect.stringMatching(ISO_UTC),
          updated_at: expect.stringMatching(ISO_UTC),
          src_ip: '10.1.2.3',
          dst_ip: '2001:db8::1',
          country: seed.country,
          user: seed.user,
          enrichment_type: seed.enrichmentType,
          enrichment: {
            geo: { country: 'FR', city: 'Paris' },
            tor: { listed: false },
            context: null,
            errors: [{ plugin: 'context', message: 'context table unavailable' }],
          },
          assignee: { id: admin.id, username: 'root' },
          resolution: null,
          event_id: null,
          version: 1,
          incident_id: null,
        },
      ]);
    });

    it('leaves the enrichment document out of a list row unless include=enrichment asks for it', async () => {
      const query = `/api/alerts?severity=high&limit=20`;
      const [lean, whole] = await Promise.all([
        get(query),
        get(`${query}&include=ENRICHMENT,enrichment`),
      ]);
      expect(lean.status).toBe(200);
      expect(whole.status).toBe(200);
      expect(lean.body.alerts.length).toBeGreaterThan(1);
      for (const row of lean.body.alerts) expect(row).not.toHaveProperty('enrichment');
      for (const row of whole.body.alerts) expect(row.enrichment).toHaveProperty('errors');
      // the same rows, total and cursor otherwise
      expect(lean.body).toEqual({
        ...whole.body,
        alerts: whole.body.alerts.map(
          ({ enrichment: _, ...rest }: { enrichment: unknown }) => rest,
        ),
      });
    });

    it('fills the enrichment members a plugin did not write and leaves unassigned alerts null', async () => {
      const res = await get('/api/alerts?q=Alert%20number%2010&include=enrichment');
      expect(res.status).toBe(200);
      expect(res.body.alerts).toHaveLength(1);
      expect(res.body.alerts[0]).toMatchObject({
        enrichment: { geo: null, tor: null, context: null, errors: [] },
        assignee: null,
        src_ip: '10.0.0.5',
        dst_ip: '198.51.100.7',
      });
    });

    const byHours = (hours: number) => (s: Stored) =>
      new Date(s.at).getTime() >= seededAt - hours * 60 * MINUTE;

    it.each<[string, (s: Stored) => boolean]>([
      ['severity=high', (s) => s.severity === 'high'],
      ['severity=low', (s) => s.severity === 'low'],
      ['status=acknowledged', (s) => s.status === 'acknowledged'],
      ['source=waf', (s) => s.source === 'waf'],
      ['country=DE', (s) => s.country === 'DE'],
      ['user=alice', (s) => s.user === 'alice'],
      ['enrichment_type=tor_exit_node', (s) => s.enrichmentType === 'tor_exit_node'],
      ['enrichment_type=clean', (s) => s.enrichmentType === 'clean'],
      ['origin=event', (s) => s.origin === 'event'],
      ['origin=upstream', (s) => s.origin === 'upstream'],
      ['hours=1', byHours(1)],
      ['hours=12', byHours(12)],
      ['q=port%20scan', (s) => /port scan/i.test(s.description)],
      ['q=tied', (s) => s.key.startsWith('tie')],
    ])('filters by %s alone', async (query, match) => {
      const want = expected(match);
      expect(want.length).toBeGreaterThan(0);
      expect(want.length).toBeLessThan(stored.length);
      expect(await keys(query)).toEqual(want);
    });

    it('filters by since and until, both inclusive, on created_at', async () => {
      const sorted = [...stored].sort(newestFirst);
      const newer = sorted[3];
      const older = sorted[20];
      const since = new Date(older.at).toISOString();
      const until = new Date(newer.at).toISOString();
      const inWindow = (s: Stored) => s.at >= older.at && s.at <= newer.at;

      expect(await keys(`since=${since}&until=${until}`)).toEqual(expected(inWindow));
      expect(await keys(`since=${since}`)).toEqual(expected((s) => s.at >= older.at));
      expect(await keys(`until=${until}`)).toEqual(expected((s) => s.at <= newer.at));
      expect(await keys(`since=${until}&until=${until}`)).toEqual([newer.key]);
    });

    it('reads an offset in since/until and a bare date as midnight UTC', async () => {
      const sorted = [...stored].sort(newestFirst);
      // the instant of sorted[2], written as local time at +02:00
      const ms = new Date(sorted[2].at).getTime();
      const plusTwo = `${new Date(ms + 120 * MINUTE).toISOString().slice(0, 23)}+02:00`;

      expect(await keys(`until=${encodeURIComponent(plusTwo)}`)).toEqual(
        expected((s) => s.at <= sorted[2].at),
      );
      expect(await keys(`since=${encodeURIComponent(plusTwo)}`)).toEqual(
        expected((s) => s.at >= sorted[2].at),
      );
      const today = new Date(seededAt).toISOString().slice(0, 10);
      const tomorrow = new Date(seededAt + 24 * 60 * MINUTE).toISOString().slice(0, 10);
      expect(await keys(`since=${tomorrow}`)).toEqual([]);
      expect(await keys(`since=${today}`)).toEqual(
        expected((s) => s.at >= `${today}T00:00:00.000000Z`),
      );
    });

    it('combines filters with AND', async () => {
      expect(await keys('severity=high,critical&status=open')).toEqual(
        expected((s) => ['high', 'critical'].includes(s.severity) && s.status === 'open'),
      );
      expect(await keys('source=firewall&country=US&origin=upstream')).toEqual(
        expected((s) => s.source === 'firewall' && s.country === 'US' && s.origin === 'upstream'),
      );
      expect(await keys('user=bob&hours=48&enrichment_type=clean&q=alert')).toEqual(
        expected(
          (s) =>
            s.user === 'bob' &&
            byHours(48)(s) &&
            s.enrichmentType === 'clean' &&
            /alert/i.test(s.description),
        ),
      );
      expect(await keys('severity=low&severity=medium&status=resolved&user=alice')).toEqual(
        expected(
          (s) =>
            ['low', 'medium'].includes(s.severity) && s.status === 'resolved' && s.user === 'alice',
        ),
      );
    });

    it('answers an empty page when nothing matches', async () => {
      const res = await get('/api/alerts?source=firewall&country=JP');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        alerts: [],
        total: 0,
        total_capped: false,
        limit: 100,
        offset: 0,
        has_more: false,
        next_cursor: null,
      });
    });

    it.each<[string, string[]]>([
      ['severity=high,critical', ['high', 'critical']],
      ['severity=HIGH,Critical', ['high', 'critical']],
      ['severity=%20high%20,%20low', ['high', 'low']],
      ['severity=high,high', ['high']],
      ['severity=critical&severity=low', ['critical', 'low']],
      ['severity=Medium', ['medium']],
    ])('reads the severity list %s in any case', async (query, severities) => {
      expect(await keys(query)).toEqual(expected((s) => severities.includes(s.severity)));
    });

    it.each<[string, string, (s: Stored) => boolean]>([
      ['country', 'country=de', (s) => s.country === 'DE'],
      ['status', 'status=OPEN', (s) => s.status === 'open'],
      [
        'enrichment_type',
        'enrichment_type=TOR_EXIT_NODE',
        (s) => s.enrichmentType === 'tor_exit_node',
      ],
      ['origin', 'origin=Event', (s) => s.origin === 'event'],
      ['q', 'q=pOrT%20ScAn', (s) => /port scan/i.test(s.description)],
    ])('matches %s regardless of case (%s)', async (_, query, match) => {
      expect(await keys(query)).toEqual(expected(match));
    });

    it.each<[string, string]>([
      ['50%', 'Discount 50% off at the proxy'],
      ['a_b', 'Wrote file a_b.txt'],
      ['C:\\temp', 'Path C:\\temp\\x seen'],
    ])('takes %j in q literally, wildcards included', async (q, description) => {
      expect(await keys(`q=${encodeURIComponent(q)}`)).toEqual(
        expected((s) => s.description === description),
      );
    });

    it('sorts oldest first with sort=created_at and newest first with -created_at', async () => {
      const newest = expected(() => true);
      expect(await keys('sort=-created_at')).toEqual(newest);
      expect(await keys('sort=created_at')).toEqual([...newest].reverse());
    });

    describe.each(['-created_at', 'created_at'])('keyset paging under sort=%s', (sort) => {
      async function walk(query: string, limit: number) {
        const pages: any[] = [];
        let cursor: string | null = null;
        do {
          const res: ApiResponse = await get(
            `/api/alerts?sort=${sort}&limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`,
          );
          expect(res.status).toBe(200);
          pages.push(res.body);
          cursor = res.body.next_cursor;
          expect(pages.length).toBeLessThan(100);
        } while (cursor);
        return pages;
      }

      it.each([1, 2, 3, 7, 36, 500])(
        'visits every alert exactly once, in order, %i per page',
        async (limit) => {
          const pages = await walk('', limit);

          const visited = pages.flatMap((p) => p.alerts.map((a: any) => keyById.get(a.id)));
          const order = expected(() => true);
          expect(visited).toEqual(sort === 'created_at' ? [...order].reverse() : order);
          expect(new Set(visited).size).toBe(stored.length);
          expect(pages).toHaveLength(Math.max(1, Math.ceil(stored.length / limit)));
          pages.forEach((page, i) => {
            const last = i === pages.length - 1;
            expect(page).toMatchObject({
              total: stored.length,
              total_capped: false,
              limit,
              offset: i === 0 ? 0 : null,
              has_more: !last,
            });
            expect(page.next_cursor === null).toBe(last);
          });
        },
      );

      it('walks a filtered list, ties included', async () => {
        const pages = await walk('&severity=high,critical', 2);
        const visited = pages.flatMap((p) => p.alerts.map((a: any) => keyById.get(a.id)));
        const order = expected((s) => ['high', 'critical'].includes(s.severity));
        expect(visited).toEqual(sort === 'created_at' ? [...order].reverse() : order);
        expect(visited.filter((k: string) => k.startsWith('tie'))).toHaveLength(5);
        for (const page of pages) expect(page.total).toBe(order.length);
      });
    });

    it('does not skip or repeat rows that arrive while paging', async () => {
      const first = await get('/api/alerts?limit=10');
      const newer = await insert({
        ...stored[0],
        key: 'late',
        description: 'Arrived while paging',
        at: micro(Date.now()),
      });
      try {
        const second = await get(`/api/alerts?limit=10&cursor=${first.body.next_cursor}`);
        const order = expected(() => true);
        expect(second.body.alerts.map((a: any) => keyById.get(a.id))).toEqual(order.slice(10, 20));
        expect(second.body.total).toBe(stored.length + 1);
      } finally {
        await t.db.query('DELETE FROM alerts WHERE id = $1', [newer.id]);
      }
    });

    it('pages by offset', async () => {
      const order = expected(() => true);
      for (let offset = 0; offset < stored.length; offset += 10) {
        const res = await get(`/api/alerts?limit=10&offset=${offset}`);
        expect(res.status).toBe(200);
        expect(res.body.alerts.map((a: any) => keyById.get(a.id))).toEqual(
          order.slice(offset, offset + 10),
        );
        const more = offset + 10 < stored.length;
        expect(res.body).toMatchObject({
          total: stored.length,
          limit: 10,
          offset,
          has_more: more,
        });
        expect(res.body.next_cursor === null).toBe(!more);
      }
    });

    it('answers an offset past the end with an empty page and the true total', async () => {
      const res = await get('/api/alerts?offset=1000');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        alerts: [],
        total: stored.length,
        offset: 1000,
        has_more: false,
        next_cursor: null,
      });
    });

    it('continues an offset page with its next_cursor', async () => {
      const order = expected(() => true);
      const first = await get('/api/alerts?limit=5&offset=5');
      const next = await get(`/api/alerts?limit=5&cursor=${first.body.next_cursor}`);
      expect(next.body.alerts.map((a: any) => keyById.get(a.id))).toEqual(order.slice(10, 15));
    });

    describe('refusing a cursor', () => {
      let cursor: string;
      beforeAll(async () => {
        cursor = (await get('/api/alerts?limit=2')).body.next_cursor;
      });

      it('together with an offset, naming both', async () => {
        const res = await get(`/api/alerts?limit=2&offset=0&cursor=${cursor}`);
        expectProblem(res, 400);
        expect(problemFields(res)).toEqual(['cursor', 'offset']);
      });

      it('produced under another sort', async () => {
        const res = await get(`/api/alerts?sort=created_at&cursor=${cursor}`);
        expectProblem(res, 400);
        expect(problemFields(res)).toEqual(['cursor']);
        expect(res.body.errors[0].message).toMatch(/sort/);
      });

      it.each<[string, (c: string) => string]>([
        [
          'with a changed payload',
          (c) => (c[3] === 'A' ? `${c.slice(0, 3)}B` : `${c.slice(0, 3)}A`) + c.slice(4),
        ],
        ['with a changed tag', (c) => c.slice(0, -1) + (c.endsWith('A') ? 'B' : 'A')],
        [
          'with its position swapped for another alert',
          (c) => {
            const [payload, tag] = c.split('.');
            const parts = JSON.parse(Buffer.from(payload, 'base64url').toString());
            parts[3] = UNKNOWN_ID;
            return `${Buffer.from(JSON.stringify(parts)).toString('base64url')}.${tag}`;
          },
        ],
        ['cut short', (c) => c.slice(0, 20)],
        ['that is not a cursor at all', () => 'garbage'],
        ['that is empty', () => ''],
      ])('%s', async (_, tamper) => {
        const res = await get(`/api/alerts?cursor=${encodeURIComponent(tamper(cursor))}`);
        expectProblem(res, 400);
        expect(problemFields(res)).toEqual(['cursor']);
      });
    });
  });

  describe('totals', () => {
    beforeAll(async () => {
      await signIn();
      // 10,050 alerts: 10,000 low, 50 critical
      await t.db.query(
        `INSERT INTO alerts (source, external_id, fingerprint, severity, description, created_at)
         SELECT 'firewall', 'bulk-' || g, decode(md5(g::text), 'hex'),
                CASE WHEN g <= 50 THEN 'critical' ELSE 'low' END, 'Bulk ' || g,
                now() - g * interval '1 second'
         FROM generate_series(1, 10050) g`,
      );
    });

    it('counts exactly past 10,000 when the filters are ones the store keeps counts by', async () => {
      for (const [query, total] of [
        ['', 10_050],
        ['&severity=low,critical', 10_050],
        ['&source=firewall&status=open&origin=upstream&enrichment_type=clean', 10_050],
        ['&severity=critical', 50],
        ['&source=waf', 0],
      ] as const) {
        const res = await get(`/api/alerts?limit=1${query}`);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ total, total_capped: false });
      }
    });

    it('caps total at 10,000 and says so when more match a filter only the alerts can answer', async () => {
      for (const filter of ['hours=24', 'q=bulk', `since=2000-01-01T00:00:00Z`]) {
        const res = await get(`/api/alerts?limit=1&${filter}`);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ total: 10_000, total_capped: true, has_more: true });
      }
    });

    it('is exact at the cap itself', async () => {
      const res = await get('/api/alerts?limit=1&severity=low');
      expect(res.body).toMatchObject({ total: 10_000, total_capped: false, has_more: true });
    });

    it('is exact below the cap, on a first page and after a cursor', async () => {
      const first = await get('/api/alerts?limit=20&severity=critical');
      expect(first.body).toMatchObject({ total: 50, total_capped: false, has_more: true });
      const next = await get(
        `/api/alerts?limit=20&severity=critical&cursor=${first.body.next_cursor}`,
      );
      expect(next.body).toMatchObject({ total: 50, total_capped: false, offset: null });
      expect(next.body.alerts).toHaveLength(20);
    });

    it('stays capped at the deepest offset', async () => {
      const res = await get('/api/alerts?limit=500&offset=10000&hours=24');
      expect(res.body).toMatchObject({ total: 10_000, total_capped: true, has_more: false });
      expect(res.body.alerts).toHaveLength(50);
      const counted = await get('/api/alerts?limit=500&offset=10000');
      expect(counted.body).toMatchObject({ total: 10_050, total_capped: false, has_more: false });
      expect(counted.body.alerts).toHaveLength(50);
    });
  });

  describe('invalid parameters', () => {
    beforeAll(signIn);

    it.each<[string, string]>([
      ['severity', 'severity=urgent'],
      ['severity', 'severity=high,urgent'],
      ['severity', 'severity='],
      ['severity', 'severity=high,'],
      ['status', 'status=closed'],
      ['status', 'status=open&status=resolved'],
      ['source', 'source='],
      ['source', `source=${'s'.repeat(65)}`],
      ['source', 'source=fire%00wall'],
      ['country', 'country=USA'],
      ['country', 'country=U1'],
      ['country', 'country='],
      ['user', `user=${'u'.repeat(129)}`],
      ['enrichment_type', 'enrichment_type=tor'],
      ['origin', 'origin=manual'],
      ['include', 'include=event'],
      ['include', 'include=enrichment,'],
      ['since', 'since=yesterday'],
      ['since', 'since=2024-02-30'],
      ['since', 'since=2024-05-01T12:00:00'],
      ['since', 'since=2024-05-01T12:00:00+02:00'], // an unencoded + arrives as a space
      ['since', 'since=1714521600'],
      ['until', 'until=2024-13-01'],
      ['until', 'since=2024-05-02T00:00:00Z&until=2024-05-01T23:59:59Z'],
      ['hours', 'hours=0'],
      ['hours', 'hours=8761'],
      ['hours', 'hours=1.5'],
      ['hours', 'hours=abc'],
      ['q', 'q='],
      ['q', `q=${'q'.repeat(201)}`],
      ['q', 'q=nul%00byte'],
      ['sort', 'sort=severity'],
      ['sort', 'sort=CREATED_AT'],
      ['limit', 'limit=0'],
      ['limit', 'limit=501'],
      ['limit', 'limit=-1'],
      ['limit', 'limit=ten'],
      ['limit', 'limit=10&limit=20'],
      ['offset', 'offset=-1'],
      ['offset', 'offset=10001'],
      ['offset', 'offset=1e3'],
      ['cursor', 'cursor=abc'],
      ['page', 'page=2'],
      ['Severity', 'Severity=high'],
    ])('answers 400 naming %s for ?%s', async (field, query) => {
      const res = await get(`/api/alerts?${query}`);
      expectProblem(res, 400);
      expect(problemFields(res)).toEqual([field]);
      for (const error of res.body.errors as Array<{ message: string }>) {
        expect(error.message).toContain(field);
      }
    });

    it.each([
      ['limit', 'limit=1'],
      ['limit', 'limit=500'],
      ['offset', 'offset=10000'],
      ['hours', 'hours=8760'],
      ['q', `q=${'q'.repeat(200)}`],
      ['since', `since=${encodeURIComponent('2024-05-01T12:00:00.123456+02:00')}`],
    ])('accepts the boundary %s (%s)', async (_, query) => {
      expect((await get(`/api/alerts?${query}`)).status).toBe(200);
    });

    it('names every offending parameter at once', async () => {
      const res = await get('/api/alerts?severity=x&limit=0&hours=0&country=XYZ&extra=1');
      expectProblem(res, 400);
      expect(problemFields(res)).toEqual(['country', 'extra', 'hours', 'limit', 'severity']);
    });
  });

  describe('GET /api/alerts/{id}', () => {
    let alert: Stored;

    beforeAll(async () => {
      await signIn();
      alert = await insert({ ...seeds(Date.now())[4], key: 'one' }); // assigned to the analyst
    });

    it('answers the alert with its assignee and event', async () => {
      const res = await get(`/api/alerts/${alert.id}`);

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: alert.id,
        source: alert.source,
        external_id: 'ext-one',
        origin: 'upstream',
        severity: alert.severity,
        status: alert.status,
        description: alert.description,
        created_at: new Date(alert.at).toISOString(),
        ingested_at: expect.stringMatching(ISO_UTC),
        updated_at: expect.stringMatching(ISO_UTC),
        src_ip: '10.0.0.5',
        dst_ip: '198.51.100.7',
        country: alert.country,
        user: alert.user,
        enrichment_type: alert.enrichmentType,
        enrichment: { geo: null, tor: null, context: null, errors: [] },
        assignee: { id: analyst.id, username: 'ana' },
        resolution: null,
        event_id: null,
        version: 1,
        incident_id: null,
        event: null,
      });
      expect(res.body.id).toMatch(UUID);
    });

    it('shows the alert as the list does', async () => {
      const listed = await get(
        `/api/alerts?q=${encodeURIComponent(alert.description)}&include=enrichment`,
      );
      const one = await get(`/api/alerts/${alert.id}`);
      expect({ ...listed.body.alerts[0], event: null }).toEqual(one.body);
    });

    it.each(['not-a-uuid', '12345', `${UNKNOWN_ID}x`, '00000000-0000-0000-0000-000000000000'])(
      'answers 400 naming id for the id %s',
      async (id) => {
        const res = await get(`/api/alerts/${id}`);
        expectProblem(res, 400);
        expect(problemFields(res)).toEqual(['id']);
      },
    );

    it('answers 404 for an id no alert has', async () => {
      const res = await get(`/api/alerts/${UNKNOWN_ID}`);
      expect(expectProblem(res, 404).detail).toContain(UNKNOWN_ID);
    });
  });

  describe('access', () => {
    let id: string;

    beforeAll(async () => {
      await signIn();
      id = (await insert({ ...seeds(Date.now())[0], key: 'acl' })).id;
    });

    it.each(['/api/alerts', '/api/alerts/{id}'])(
      'refuses %s to anonymous callers (401)',
      async (path) => {
        const res = await t.api.get(path.replace('{id}', id));
        expectProblem(res, 401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      },
    );

    it.each(['/api/alerts', '/api/alerts/{id}'])(
      'refuses %s with a bad token (401)',
      async (path) => {
        expectProblem(await get(path.replace('{id}', id), 'not.a.token'), 401);
      },
    );

    it.each<['admin' | 'analyst', string]>([
      ['analyst', '/api/alerts'],
      ['analyst', '/api/alerts/{id}'],
      ['admin', '/api/alerts'],
      ['admin', '/api/alerts/{id}'],
    ])('lets an %s read %s (200)', async (who, path) => {
      const res = await get(
        path.replace('{id}', id),
        who === 'admin' ? admin.token : analyst.token,
      );
      expect(res.status).toBe(200);
    });

    it('documents the list query and both responses in the OpenAPI document', async () => {
      const document = (await t.api.get('/docs-json')).body;
      const list = document.paths['/api/alerts'].get;
      expect(list.parameters.map((p: { name: string }) => p.name).sort()).toEqual(
        [
          'country',
          'cursor',
          'enrichment_type',
          'hours',
          'incident_id',
          'include',
          'ip',
          'limit',
          'offset',
          'origin',
          'q',
          'severity',
          'since',
          'sort',
          'source',
          'status',
          'until',
          'user',
        ].sort(),
      );
      expect(list.description).toMatch(/10,000/);
      expect(list.responses['200'].content['application/json'].schema).toEqual({
        $ref: '#/components/schemas/AlertPageDto',
      });
      const one = document.paths['/api/alerts/{id}'].get;
      expect(Object.keys(one.responses)).toEqual(
        expect.arrayContaining(['200', '400', '401', '404']),
      );
      const schemas = document.components.schemas;
      expect(Object.keys(schemas.AlertDto.properties).sort()).toEqual(
        [
          'id',
          'source',
          'external_id',
          'origin',
          'severity',
          'status',
          'description',
          'created_at',
          'ingested_at',
          'updated_at',
          'src_ip',
          'dst_ip',
          'country',
          'user',
          'enrichment_type',
          'enrichment',
          'assignee',
          'resolution',
          'event_id',
          'version',
          'incident_id',
        ].sort(),
      );
      // the list's rows carry the enrichment on request, the detail always
      expect(schemas.AlertDto.required).not.toContain('enrichment');
      expect(schemas.AlertDetailDto.required).toEqual(
        expect.arrayContaining(['enrichment', 'event', 'id', 'enrichment_type']),
      );
      expect(Object.keys(schemas.AlertPageDto.properties).sort()).toEqual(
        ['alerts', 'has_more', 'limit', 'next_cursor', 'offset', 'total', 'total_capped'].sort(),
      );
    });
  });
});
