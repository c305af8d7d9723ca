// `incident_id=` on the alert list and in the bulk change's filter, through the real service:
// alerts grouped by a correlation rule into two incidents, plus alerts no rule groups. Each
// expectation comes from the incident's own detail (`alert_ids`) or from what was seeded.
import { randomUUID } from 'node:crypto';
import type { StandardAlert } from '../mock-api/alert-generator.js';
import { expectProblem, problemFields } from './support/problem.js';
import { at, pushRecord } from './support/push-records.js';
import { startTestApp, TestApp, TestUser } from './support/test-app.js';

/** Listed alerts as the list serves them (the members read here). */
interface Listed {
  id: string;
  severity: string;
  status: string;
  created_at: string;
  incident_id: string | null;
}

/**
 * 23 alerts from 10.1.1.1 (pairs sharing a second, so pages break between equal timestamps), 7
 * from 10.2.2.2, and 12 without a source address, which the rule (by src_ip) leaves ungrouped;
 * every fourth alert is high, the rest low.
 */
const SEEDS: StandardAlert[] = [
  ...Array.from({ length: 23 }, (_, i) =>
    pushRecord(`a${i}`, Math.floor(i / 2) * 20, '10.1.1.1', i % 4 === 0 ? 'high' : 'low'),
  ),
  ...Array.from({ length: 7 }, (_, i) =>
    pushRecord(`b${i}`, 5 + i * 30, '10.2.2.2', i % 4 === 0 ? 'high' : 'low'),
  ),
  ...Array.from({ length: 12 }, (_, i) =>
    pushRecord(`u${i}`, 3 + i * 15, null, i % 4 === 0 ? 'high' : 'low'),
  ),
];

/** The list's order: created_at, then id, both descending. */
const newestFirst = (a: Listed, b: Listed) =>
  b.created_at.localeCompare(a.created_at) || (b.id < a.id ? -1 : 1);

describe('GET /api/alerts?incident_id= (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let analyst: TestUser;
  /** The seed's id → the stored alert's id. */
  let ids: Map<string, string>;
  let incidentA: { id: string; alert_ids: string[]; alert_count: number };
  let incidentB: { id: string; alert_ids: string[]; alert_count: number };
  /** Every stored alert as the unfiltered list serves it. */
  let all: Listed[];

  beforeAll(async () => {
    t = await startTestApp();
    await t.reset();
    admin = await t.user('root', ['admin']);
    analyst = await t.user('ana', ['analyst']);
    await t.db.query('TRUNCATE alerts, incidents, incident_alerts, correlation_rules CASCADE');
    const rule = await t.api.post('/api/correlation-rules', {
      token: admin.token,
      body: { name: 'by source address', keys: ['src_ip'], window_seconds: 3600 },
    });
    expect(rule.status).toBe(201);
    const pushed = await t.api.post('/api/ingest/alerts', {
      token: admin.token,
      body: { alerts: SEEDS },
    });
    expect(pushed.status).toBe(200);
    expect(pushed.body.stored).toBe(SEEDS.length);
    ids = new Map(
      (pushed.body.results as Array<{ index: number; id: string }>).map((r) => [
        SEEDS[r.index].id,
        r.id,
      ]),
    );

    const incidents = await t.api.get('/api/incidents?limit=100', { token: analyst.token });
    expect(incidents.status).toBe(200);
    expect(incidents.body.incidents).toHaveLength(2);
    const detail = async (key: string) => {
      const { id } = (incidents.body.incidents as Array<{ id: string; key: { src_ip: string } }>)
        .filter((i) => i.key.src_ip === key)
        .at(0)!;
      const res = await t.api.get(`/api/incidents/${id}`, { token: analyst.token });
      expect(res.status).toBe(200);
      return res.body;
    };
    incidentA = await detail('10.1.1.1');
    incidentB = await detail('10.2.2.2');

    const list = await t.api.get('/api/alerts?limit=500', { token: analyst.token });
    expect(list.status).toBe(200);
    all = list.body.alerts;
    expect(all).toHaveLength(SEEDS.length);
  });
  afterAll(() => t?.close());

  async function list(query: string) {
    const res = await t.api.get(`/api/alerts?${query}`, { token: analyst.token });
    expect(res.status).toBe(200);
    return res.body as {
      alerts: Listed[];
      total: number;
      total_capped: boolean;
      next_cursor: string | null;
    };
  }

  /** Every page of `query` through next_cursor: the ids in order, and each page's total. */
  async function walk(query: string, limit: number) {
    const seen: string[] = [];
    const totals: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(
        `${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      seen.push(...page.alerts.map((a) => a.id));
      totals.push(page.total);
      cursor = page.next_cursor;
    } while (cursor && totals.length < 50);
    return { seen, totals };
  }

  it('the seed makes two incidents of 23 and 7 alerts and leaves 12 alerts ungrouped', () => {
    expect(incidentA.alert_ids.sort()).toEqual(
      SEEDS.filter((s) => s.id.startsWith('a'))
        .map((s) => ids.get(s.id))
        .sort(),
    );
    expect(incidentB.alert_count).toBe(7);
    expect(all.filter((a) => a.incident_id === null)).toHaveLength(12);
  });

  it.each([
    ['the larger incident', () => incidentA],
    ['the smaller incident', () => incidentB],
  ])('lists exactly the alerts of %s, newest first, with an exact total', async (_, which) => {
    const incident = which();
    const page = await list(`incident_id=${incident.id}&limit=500`);

    expect(page.alerts.map((a) => a.id)).toEqual(
      all
        .filter((a) => incident.alert_ids.includes(a.id))
        .sort(newestFirst)
        .map((a) => a.id),
    );
    expect(page.alerts.map((a) => a.id).sort()).toEqual([...incident.alert_ids].sort());
    expect(page.alerts.every((a) => a.incident_id === incident.id)).toBe(true);
    expect({ total: page.total, capped: page.total_capped }).toEqual({
      total: incident.alert_count,
      capped: false,
    });
  });

  it('counts an incident of more alerts than the list counts one by one exactly (its kept count)', async () => {
    // 10,050 alerts of one address in one statement: one incident, past the 10,000 the list
    // otherwise counts before it says "more".
    await t.db.query(
      `INSERT INTO alerts (source, external_id, severity, description, created_at, src_ip)
       SELECT 'edr', 'many-' || g, 'low', 'Beacon', $1::timestamptz + g * interval '100 ms',
              '10.9.9.9'
       FROM generate_series(1, 10050) g`,
      [at(0)],
    );
    const { rows } = await t.db.query<{ id: string }>(
      `SELECT id FROM incidents WHERE group_key = '{"src_ip": "10.9.9.9"}'`,
    );
    expect(rows).toHaveLength(1);
    const page = await list(`incident_id=${rows[0].id}&limit=5`);
    expect({ total: page.total, capped: page.total_capped }).toEqual({
      total: 10_050,
      capped: false,
    });
    // With another filter beside it, the alerts are counted (and capped), as for any filter.
    const lows = await list(`incident_id=${rows[0].id}&severity=low&limit=5`);
    expect({ total: lows.total, capped: lows.total_capped }).toEqual({
      total: 10_000,
      capped: true,
    });
    await t.db.query(`DELETE FROM alerts WHERE external_id LIKE 'many-%'`);
  });

  it('pages through the larger incident with a small limit: every alert once, in order, the total on every page', async () => {
    const { seen, totals } = await walk(`incident_id=${incidentA.id}`, 4);

    expect(seen).toEqual(
      all
        .filter((a) => a.incident_id === incidentA.id)
        .sort(newestFirst)
        .map((a) => a.id),
    );
    expect(new Set(seen).size).toBe(23);
    expect(totals).toHaveLength(6);
    // After a cursor the page cannot imply the total: it is counted, and counts the whole match.
    expect(new Set(totals)).toEqual(new Set([23]));
  });

  it('combines with severity', async () => {
    const want = all
      .filter((a) => a.incident_id === incidentA.id && a.severity === 'high')
      .sort(newestFirst)
      .map((a) => a.id);
    expect(want.length).toBeGreaterThan(2);
    expect(want.length).toBeLessThan(23);
    // The severity alone is counted from the rollup; with the incident it is counted by the rows.
    expect((await list('severity=high&limit=1')).total).toBeGreaterThan(want.length);

    const { seen, totals } = await walk(`incident_id=${incidentA.id}&severity=high`, 2);
    expect(seen).toEqual(want);
    expect(new Set(totals)).toEqual(new Set([want.length]));
  });

  it('accepts the id in upper case', async () => {
    const page = await list(`incident_id=${incidentB.id.toUpperCase()}&limit=500`);
    expect(page.alerts.map((a) => a.id).sort()).toEqual([...incidentB.alert_ids].sort());
  });

  it('answers an id no incident has with an empty list (200)', async () => {
    const page = await list(`incident_id=${randomUUID()}`);
    expect(page).toMatchObject({ alerts: [], total: 0, total_capped: false, next_cursor: null });
  });

  it.each([
    ['not-a-uuid', /must be a UUID/],
    ['0b7c4a4e-2f4d-4c1a-9a57-3f0f4a8d2b6', /must be a UUID/],
    ['0b7c4a4e2f4d4c1a9a573f0f4a8d2b61', /must be a UUID/],
    ['', /must be a UUID/],
    [`${randomUUID()}&incident_id=${randomUUID()}`, /given once/],
  ])('refuses incident_id=%s with a 400 naming incident_id', async (value, message) => {
    const res = await t.api.get(`/api/alerts?incident_id=${value}`, { token: analyst.token });
    const problem = expectProblem(res, 400);
    expect(problemFields(res)).toEqual(['incident_id']);
    expect(problem.errors[0].message).toMatch(message);
  });

  describe('POST /api/alerts/bulk with filter.incident_id', () => {
    it('refuses a malformed id, naming it', async () => {
      const res = await t.api.post('/api/alerts/bulk', {
        token: admin.token,
        body: { filter: { incident_id: 'nope' }, set: { status: 'acknowledged' } },
      });
      expectProblem(res, 400);
      expect(problemFields(res)).toEqual([expect.stringMatching(/incident_id$/)]);
    });

    it('acts on exactly the alerts the list selects by it, and on no other', async () => {
      const res = await t.api.post('/api/alerts/bulk', {
        token: admin.token,
        body: { filter: { incident_id: incidentB.id }, set: { status: 'acknowledged' } },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ matched: 7, updated: 7, skipped: [], truncated: false });

      const acknowledged = await list('status=acknowledged&limit=500');
      expect(acknowledged.alerts.map((a) => a.id).sort()).toEqual([...incidentB.alert_ids].sort());
      expect((await list(`incident_id=${incidentA.id}&status=acknowledged`)).total).toBe(0);
    });
  });

  it('is not a webhook subscription filter (subscriptions match an alert by its own row)', async () => {
    const subscription = (filter: Record<string, unknown>) =>
      t.api.post('/api/webhooks', {
        token: admin.token,
        body: { url: 'http://127.0.0.1:9/hook', events: ['alert.created'], filter },
      });
    expectProblem(await subscription({ severity: ['high'], incident_id: incidentA.id }), 400);
    expect((await subscription({ severity: ['high'] })).status).toBe(201);
  });
});
