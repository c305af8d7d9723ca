// POST /api/ingest/alerts (issue 15, acceptance 4) through the real service: the exact count
// over generated batches (stored + duplicate + quarantined = N, and the database holds exactly the
// alerts answered stored, with origin push, and the bad records), idempotent re-sends, per-record
// quarantine with reasons, one transaction, the envelope's limits, access, metrics and stats.
import fc from 'fast-check';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { alertAt } from '../mock-api/alert-generator.js';
import type { ApiResponse } from './support/api-client.js';
import { expectProblem, problemFields } from './support/problem.js';
import { startTestApp, TestApp, TestUser } from './support/test-app.js';

const PATH = '/api/ingest/alerts';
const MAX = 1000;
const BODY_LIMIT = 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A generated record and what the service must make of it. */
type Draft =
  { record: unknown; valid: true; key: string } | { record: unknown; valid: false; reason: RegExp };

interface Outcome {
  index: number;
  status: 'stored' | 'duplicate' | 'quarantined';
  id?: string;
  reason?: string;
}

// ---- generated records --------------------------------------------------------------------------
// Small pools, so that keys collide: the same (source, id) with other content, and records without
// an id whose normalised content is the same (a source in another case, the same instant at another
// offset, a legacy criticality and its severity name) must be one alert.

const SOURCES = ['edr', ' EDR ', 'Fw', 'fw', 'nac'];
const IDS: Array<string | number> = ['a1', 'a2', '7', 7, 'b-99'];
const INSTANTS = ['2026-12-01T10:00:00Z', '2026-12-01T12:00:00+02:00', '2026-12-02T08:30:00.000Z'];
const DESCRIPTIONS = ['Port scan', '  Port scan ', 'Beacon to known C2'];
const ADDRESSES = ['10.0.0.5', '185.220.101.1', '2001:DB8::1'];
const SEVERITY_OF = ['low', 'medium', 'high', 'critical'];

const norm = {
  source: (s: string) => s.trim().toLowerCase(),
  instant: (s: string) => new Date(s).toISOString(),
  ip: (s: string | undefined) => (s === undefined ? null : s.toLowerCase()),
};

/** The dedup key as the contract defines it: (source, id), else the normalised content. */
function keyOf(
  source: string,
  id: string | number | undefined,
  content: [severity: string, description: string, at: string, src?: string, dst?: string],
): string {
  if (id !== undefined) return `id ${norm.source(source)} ${String(id)}`;
  const [severity, description, at, src, dst] = content;
  return `content ${JSON.stringify([
    norm.source(source),
    severity,
    description.trim(),
    norm.instant(at),
    norm.ip(src),
    norm.ip(dst),
  ])}`;
}

const optional = <T>(values: T[]) => fc.option(fc.constantFrom(...values), { nil: undefined });

/** Keys left out when undefined, as a sender would leave them out. */
const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const standard: fc.Arbitrary<Draft> = fc
  .record({
    id: optional(IDS),
    source: fc.constantFrom(...SOURCES),
    severity: fc.constantFrom('low', 'HIGH', 'Critical', 'medium'),
    description: fc.constantFrom(...DESCRIPTIONS),
    at: fc.constantFrom(...INSTANTS),
    src: optional(ADDRESSES),
    dst: optional(ADDRESSES),
  })
  .map((r) => ({
    record: defined({
      id: r.id,
      source: r.source,
      severity: r.severity,
      description: r.description,
      created_at: r.at,
      src_ip: r.src,
      dst_ip: r.dst,
    }),
    valid: true,
    key: keyOf(r.source, r.id, [r.severity.toLowerCase(), r.description, r.at, r.src, r.dst]),
  }));

const legacy: fc.Arbitrary<Draft> = fc
  .record({
    id: optional(IDS),
    source: fc.constantFrom(...SOURCES),
    criticality: fc.integer({ min: 1, max: 4 }),
    summary: fc.constantFrom(...DESCRIPTIONS),
    at: fc.constantFrom(...INSTANTS),
    src: optional(ADDRESSES),
    dst: optional(ADDRESSES),
  })
  .map((r) => ({
    record: defined({
      alertId: r.id,
      source: r.source,
      criticality: r.criticality,
      summary: r.summary,
      timestamp: r.at,
      sourceAddress: r.src,
      destinationAddress: r.dst,
    }),
    valid: true,
    key: keyOf(r.source, r.id, [SEVERITY_OF[r.criticality - 1], r.summary, r.at, r.src, r.dst]),
  }));

const GOOD = { source: 'edr', severity: 'high', description: 'Bad one', created_at: INSTANTS[0] };
let deep: unknown = 'bottom';
for (let i = 0; i < 70; i++) deep = { deeper: deep };

/** Records that are not alerts, each with the reason the normaliser gives. */
const BAD: Array<[unknown, RegExp]> = [
  [{ ...GOOD, severity: 'urgent' }, /^severity must be one of/],
  [
    { alertId: 'x', source: 'waf', criticality: 9, summary: 's', timestamp: INSTANTS[0] },
    /^criticality must be/,
  ],
  [{ ...GOOD, description: undefined }, /^description is missing/],
  [{ ...GOOD, src_ip: '999.1.1.1' }, /^src_ip is not a valid IPv4 or IPv6 address/],
  [{ ...GOOD, created_at: '2026-02-30T00:00:00Z' }, /^created_at is not a valid date/],
  [{ ...GOOD, description: 'NUL \u0000 inside' }, /^description contains a NUL character/],
  [{ ...GOOD, source: 'half \ud800 pair' }, /^source contains an unpaired UTF-16 surrogate/],
  [{ ...GOOD, id: { nested: true } }, /^id must be a string or an integer/],
  [{ ...GOOD, extra: deep }, /^record nests deeper than 64 levels/],
  ['just text', /^record is not a JSON object/],
  [42, /^record is not a JSON object/],
  [null, /^record is not a JSON object/],
  [[GOOD], /^record is not a JSON object/],
];
const bad: fc.Arbitrary<Draft> = fc
  .constantFrom(...BAD)
  .map(([record, reason]) => ({ record, valid: false, reason }));

const draft = fc.oneof({ arbitrary: standard, weight: 3 }, { arbitrary: legacy, weight: 3 }, bad);

/** A pool of records, an earlier push and the batch, both drawn from the pool (so repeats occur). */
const scenario = fc.array(draft, { minLength: 1, maxLength: 25 }).chain((pool) =>
  fc.record({
    earlier: fc.array(fc.constantFrom(...pool), { maxLength: 8 }),
    batch: fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 60 }),
  }),
);

// ---- the spec -----------------------------------------------------------------------------------

describe('Push ingestion (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    await t.reset();
    admin = await t.user('root', ['admin']);
  });
  afterAll(() => t?.close());
  /** Alerts and quarantine only: the users (and their tokens) stay. */
  beforeEach(() => emptyStore());

  async function emptyStore(): Promise<void> {
    await t.db.query('TRUNCATE alerts, quarantine CASCADE');
  }

  function push(alerts: unknown[], token = admin.token): Promise<ApiResponse> {
    return t.api.post(PATH, { token, body: { alerts } });
  }

  async function storedAlerts(): Promise<Array<{ id: string; origin: string }>> {
    const { rows } = await t.db.query<{ id: string; origin: string }>(
      'SELECT id, origin FROM alerts ORDER BY id',
    );
    return rows;
  }

  async function quarantined(): Promise<
    Array<{ raw: string; run_id: string | null; reason: string }>
  > {
    const { rows } = await t.db.query<{ raw: string; run_id: string | null; reason: string }>(
      'SELECT raw, run_id, reason FROM quarantine ORDER BY raw',
    );
    return rows;
  }

  /**
   * Checks a push's answer against the model: in order, a bad record is quarantined with its
   * reason; an alert whose key is in `ids` (stored before, or earlier in this batch) is a duplicate
   * of that alert; any other is stored under a new id, which `ids` then holds.
   */
  function expectAnswer(drafts: Draft[], res: ApiResponse, ids: Map<string, string>): void {
    expect(res.status).toBe(200);
    const results = res.body.results as Outcome[];
    expect(results).toHaveLength(drafts.length);
    const known = new Set(ids.values());
    drafts.forEach((d, index) => {
      const got = results[index];
      if (!d.valid) {
        expect(got).toEqual({
          index,
          status: 'quarantined',
          reason: expect.stringMatching(d.reason),
        });
      } else if (ids.has(d.key)) {
        expect(got).toEqual({ index, status: 'duplicate', id: ids.get(d.key) });
      } else {
        expect(got).toEqual({ index, status: 'stored', id: expect.stringMatching(UUID) });
        expect(known.has(got.id!)).toBe(false);
        ids.set(d.key, got.id!);
        known.add(got.id!);
      }
    });
    const count = (status: Outcome['status']) => results.filter((r) => r.status === status).length;
    expect({
      stored: res.body.stored,
      duplicates: res.body.duplicates,
      quarantined: res.body.quarantined,
    }).toEqual({
      stored: count('stored'),
      duplicates: count('duplicate'),
      quarantined: count('quarantined'),
    });
    expect(res.body.stored + res.body.duplicates + res.body.quarantined).toBe(drafts.length);
  }

  /** The store holds exactly the alerts answered stored (origin push), and each bad record once. */
  async function expectStore(ids: Map<string, string>, bad: Set<string>): Promise<void> {
    const alerts = await storedAlerts();
    expect(alerts.map((a) => a.id)).toEqual([...ids.values()].sort());
    expect(alerts.every((a) => a.origin === 'push')).toBe(true);
    const rows = await quarantined();
    expect(rows.map((q) => q.raw).sort()).toEqual([...bad].sort());
    expect(rows.every((q) => q.run_id === null)).toBe(true);
  }

  it('stored + duplicate + quarantined = N over generated batches, and the store holds exactly that; a re-send changes nothing', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async ({ earlier, batch }) => {
        runs++;
        await emptyStore();
        const ids = new Map<string, string>();
        const bad = new Set<string>();
        const send = async (drafts: Draft[]) => {
          expectAnswer(drafts, await push(drafts.map((d) => d.record)), ids);
          for (const d of drafts) if (!d.valid) bad.add(JSON.stringify(d.record));
          await expectStore(ids, bad);
        };
        if (earlier.length > 0) await send(earlier);
        await send(batch);
        const before = new Map(ids);
        await send(batch); // the re-send: every alert a duplicate of the same id, no new row
        expect(ids).toEqual(before);
      }),
      { seed: 20261215, numRuns: 40 },
    );
    expect(runs).toBe(40);
  });

  it('answers a re-sent batch all duplicate with the same ids, and stores no new row', async () => {
    const batch = Array.from({ length: 200 }, (_, i) => alertAt(3, i, Date.now() - i * 1000));
    const first = await push(batch);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ stored: 200, duplicates: 0, quarantined: 0 });
    const again = await push(batch);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ stored: 0, duplicates: 200, quarantined: 0 });
    expect(again.body.results).toEqual(
      (first.body.results as Outcome[]).map((r) => ({ ...r, status: 'duplicate' })),
    );
    expect((await storedAlerts()).length).toBe(200);
  });

  it('stores both shapes normalised and enriched, with origin push, as GET /api/alerts/{id} shows', async () => {
    const createdAt = new Date(Date.now() - 60_000).toISOString();
    const res = await push([
      {
        id: 'std-1',
        source: ' EDR ',
        severity: 'HIGH',
        description: 'Credential dumping on fin-ws-042',
        created_at: createdAt,
        src_ip: '10.20.1.42',
        dst_ip: '8.8.8.8',
      },
      {
        alertId: 991,
        source: 'waf',
        criticality: 4,
        summary: 'SQL injection attempt',
        timestamp: createdAt,
        sourceAddress: '10.0.4.7',
      },
    ]);
    expect(res.body).toMatchObject({ stored: 2, duplicates: 0, quarantined: 0 });
    const [std, leg] = res.body.results as Outcome[];
    const a = await t.api.get(`/api/alerts/${std.id}`, { token: admin.token });
    expect(a.body).toMatchObject({
      id: std.id,
      source: 'edr',
      external_id: 'std-1',
      origin: 'push',
      severity: 'high',
      status: 'open',
      created_at: createdAt,
      src_ip: '10.20.1.42',
      dst_ip: '8.8.8.8',
      country: 'US',
      enrichment: expect.objectContaining({ errors: [] }),
    });
    const b = await t.api.get(`/api/alerts/${leg.id}`, { token: admin.token });
    expect(b.body).toMatchObject({
      source: 'waf',
      external_id: '991',
      origin: 'push',
      severity: 'critical',
      description: 'SQL injection attempt',
    });
    const listed = await t.api.get('/api/alerts?origin=push', { token: admin.token });
    expect(listed.body.total).toBe(2);
  });

  it('answers a repeat within a batch duplicate of the earlier record, with its id', async () => {
    const one = {
      id: 'r-1',
      source: 'edr',
      severity: 'low',
      description: 'a',
      created_at: INSTANTS[0],
    };
    const sameKey = { ...one, description: 'other content, same (source, id)' };
    const noId = { source: 'fw', severity: 'low', description: 'b', created_at: INSTANTS[0] };
    const sameContent = { ...noId, source: 'FW', created_at: '2026-12-01T11:00:00+01:00' };
    const res = await push([one, noId, sameKey, sameContent, one]);
    const results = res.body.results as Outcome[];
    expect(results.map((r) => r.status)).toEqual([
      'stored',
      'stored',
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    expect([results[2].id, results[4].id]).toEqual([results[0].id, results[0].id]);
    expect(results[3].id).toBe(results[1].id);
    const { rows } = await t.db.query('SELECT description FROM alerts ORDER BY description');
    expect(rows).toEqual([{ description: 'a' }, { description: 'b' }]);
  });

  it('answers the id of an alert a sync stored as a duplicate, and leaves its origin alone', async () => {
    const { rows } = await t.db.query<{ id: string }>(
      `INSERT INTO alerts (source, external_id, severity, description, created_at)
       VALUES ('firewall', 'fw-1', 'high', 'synced', now()) RETURNING id`,
    );
    const res = await push([
      {
        id: 'fw-1',
        source: 'firewall',
        severity: 'low',
        description: 'x',
        created_at: INSTANTS[0],
      },
    ]);
    expect(res.body.results).toEqual([{ index: 0, status: 'duplicate', id: rows[0].id }]);
    expect(await storedAlerts()).toEqual([{ id: rows[0].id, origin: 'upstream' }]);
  });

  it('quarantines each bad record with its reason (run_id null) and stores the rest of the batch', async () => {
    const records = [...BAD.map(([record]) => record), GOOD];
    const res = await push(records);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stored: 1, duplicates: 0, quarantined: BAD.length });
    BAD.forEach(([, reason], index) =>
      expect(res.body.results[index]).toEqual({
        index,
        status: 'quarantined',
        reason: expect.stringMatching(reason),
      }),
    );
    const listed = await t.api.get('/api/sync/quarantine?limit=100', { token: admin.token });
    expect(listed.body.total).toBe(BAD.length);
    for (const record of listed.body.records) expect(record.run_id).toBeNull();
    const reasons = (listed.body.records as Array<{ reason: string }>).map((r) => r.reason).sort();
    expect(reasons).toEqual(
      (res.body.results as Outcome[])
        .slice(0, BAD.length)
        .map((r) => r.reason)
        .sort(),
    );
    // Again: quarantined again, with the same reasons, and no new row.
    const again = await push(records);
    expect(again.body.results).toEqual(
      (res.body.results as Outcome[]).map((r) =>
        r.status === 'stored' ? { ...r, status: 'duplicate' } : r,
      ),
    );
    expect((await quarantined()).length).toBe(BAD.length);
  });

  it('accepts 1,000 typical records (under the 1 MiB body limit) and refuses 1,001 or none (400), storing nothing', async () => {
    const records = Array.from({ length: MAX }, (_, i) => alertAt(5, i, Date.now() - i * 1000));
    const body = JSON.stringify({ alerts: records });
    expect(Buffer.byteLength(body)).toBeLessThan(BODY_LIMIT / 3);
    const res = await push(records);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stored: MAX, duplicates: 0, quarantined: 0 });
    expect(res.body.results).toHaveLength(MAX);
    expect((await storedAlerts()).length).toBe(MAX);
    await emptyStore();

    const tooMany = await push([...records, records[0]]);
    expectProblem(tooMany, 400);
    expect(tooMany.body.errors).toEqual([
      { field: 'alerts', message: expect.stringMatching(/at most 1000 records/) },
    ]);
    expect(problemFields(await push([]))).toEqual(['alerts']);
    expect((await storedAlerts()).length).toBe(0);
  });

  it.each<[string, unknown, string[]]>([
    ['no alerts field', {}, ['alerts']],
    ['alerts not an array', { alerts: { id: 1 } }, ['alerts']],
    ['an unknown field', { alerts: [GOOD], since: 'now' }, ['since']],
    ['an array body', [GOOD], ['body']],
    ['a string body', 'alerts', ['body']],
  ])('refuses %s with 400 naming the field, storing nothing', async (_, body, fields) => {
    const res = await t.api.post(PATH, { token: admin.token, body });
    expectProblem(res, 400);
    expect(problemFields(res)).toEqual(fields);
    expect((await storedAlerts()).length).toBe(0);
  });

  it('refuses a body over 1 MiB with 413 problem+json, storing nothing', async () => {
    const res = await push([{ ...GOOD, description: 'x'.repeat(BODY_LIMIT) }]);
    expectProblem(res, 413);
    expect((await storedAlerts()).length).toBe(0);
  });

  it('stores nothing of a batch whose statement fails: alerts and quarantine are one transaction', async () => {
    await t.db.query(`CREATE FUNCTION push_spec_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused by the spec'; END $$`);
    await t.db.query(`CREATE TRIGGER push_spec_refuse BEFORE INSERT ON quarantine
      FOR EACH ROW EXECUTE FUNCTION push_spec_refuse()`);
    try {
      const res = await push([GOOD, { ...GOOD, severity: 'nope' }]);
      expectProblem(res, 500);
    } finally {
      await t.db.query('DROP TRIGGER push_spec_refuse ON quarantine');
      await t.db.query('DROP FUNCTION push_spec_refuse()');
    }
    expect(await storedAlerts()).toEqual([]);
    const res = await push([GOOD, { ...GOOD, severity: 'nope' }]);
    expect(res.body).toMatchObject({ stored: 1, quarantined: 1 });
  });

  it('stores each alert once when the same batch arrives twice at once, both answers naming it', async () => {
    const batch = Array.from({ length: 300 }, (_, i) => alertAt(9, i, Date.now() - i * 1000));
    const [a, b] = await Promise.all([push(batch), push(batch)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const alerts = await storedAlerts();
    expect(alerts.length).toBe(a.body.stored + b.body.stored);
    (a.body.results as Outcome[]).forEach((ra, i) => {
      const rb = (b.body.results as Outcome[])[i];
      if (ra.status === 'quarantined') return expect(rb).toEqual(ra);
      expect(rb.id).toBe(ra.id);
      expect([ra.status, rb.status].sort()).toEqual(['duplicate', 'stored']);
    });
  });

  describe('access', () => {
    it('refuses no token (401) and an analyst (403); admits an admin and a user of group ingest', async () => {
      expectProblem(await t.api.post(PATH, { body: { alerts: [GOOD] } }), 401);
      const analyst = await t.user('ana', ['analyst']);
      expectProblem(await push([GOOD], analyst.token), 403);
      const feeder = await t.user('feeder', ['ingest']);
      expect((await push([GOOD], feeder.token)).body).toMatchObject({ stored: 1 });
      expect((await push([GOOD], admin.token)).body).toMatchObject({ duplicates: 1 });
      expect(await storedAlerts()).toHaveLength(1);
    });

    it('admits an API key of group ingest', async () => {
      const created = await t.api.post('/api/api-keys', {
        token: admin.token,
        body: { name: 'edr-webhook', groups: ['ingest'] },
      });
      expect(created.status).toBe(201);
      const res = await push([GOOD], created.body.key);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ stored: 1 });
    });
  });

  describe('telemetry', () => {
    async function counter(name: string, labels: Record<string, string>): Promise<number> {
      const res = await t.api.get('/metrics');
      const family = (
        parsePrometheusTextFormat(res.body as string) as Array<{
          name: string;
          metrics: Array<{ labels?: Record<string, string>; value?: string }>;
        }>
      ).find((f) => f.name === name);
      const sample = family?.metrics.find((m) =>
        Object.entries(labels).every(([k, v]) => m.labels?.[k] === v),
      );
      return Number(sample?.value ?? 0);
    }

    it('counts stored alerts and new quarantined records in /metrics with origin push, and a re-send not again', async () => {
      const ingested = () =>
        counter('vigil_alerts_ingested_total', { source: 'metrics-src', origin: 'push' });
      const bad = () => counter('vigil_quarantined_records_total', { origin: 'push' });
      const [ingestedBefore, badBefore] = [await ingested(), await bad()];
      const records = [
        { ...GOOD, source: 'metrics-src', id: 'm-1' },
        { ...GOOD, source: 'metrics-src', id: 'm-2' },
        { ...GOOD, source: 'metrics-src', id: 'm-1' },
        { ...GOOD, severity: 'meh' },
      ];
      await push(records);
      expect([await ingested(), await bad()]).toEqual([ingestedBefore + 2, badBefore + 1]);
      await push(records);
      expect([await ingested(), await bad()]).toEqual([ingestedBefore + 2, badBefore + 1]);
    });

    it('counts pushed alerts in the stats and the list by origin', async () => {
      const before = await t.api.get('/api/alerts/stats?hours=24', { token: admin.token });
      const at = new Date(Date.now() - 3_600_000).toISOString();
      const records = Array.from({ length: 5 }, (_, i) => ({
        id: `s-${i}`,
        source: 'stats-src',
        severity: i < 2 ? 'critical' : 'low',
        description: 'stats',
        created_at: at,
      }));
      expect((await push(records)).body.stored).toBe(5);
      const after = await t.api.get('/api/alerts/stats?hours=24', { token: admin.token });
      expect(after.body.total).toBe(before.body.total + 5);
      expect(after.body.by_severity.critical).toBe(before.body.by_severity.critical + 2);
      expect(after.body.by_source).toContainEqual({ source: 'stats-src', count: 5 });
      const listed = await t.api.get('/api/alerts?origin=push&source=stats-src', {
        token: admin.token,
      });
      expect(listed.body.total).toBe(5);
    });
  });
});
