// GET /api/alerts/stats against alerts and history arranged directly in the database (each alert's
// first acknowledgement and resolution kept on it as the workflow keeps them; a last part drives
// the workflow itself over HTTP). Every number expected here is computed by this file from the
// rows it inserted, never copied from a response.
import { expectProblem, problemFields } from './support/problem.js';
import { createPool } from '../src/database/data-source.js';
import { startTestApp, TestApp, TestUser } from './support/test-app.js';

const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const STATUSES = ['open', 'acknowledged', 'resolved'] as const;
const ENRICHMENT_TYPES = ['tor_exit_node', 'clean'] as const;
const HOUR = 3_600_000;
const MINUTE = 60_000;
const TOP = 20;

interface Seed {
  key: string;
  source: string;
  severity: (typeof SEVERITIES)[number];
  status: (typeof STATUSES)[number];
  country: string | null;
  enrichmentType: (typeof ENRICHMENT_TYPES)[number];
  /** Minutes before the database clock at arrangement; negative: dated in the future. */
  minutesAgo: number;
  /** Seconds between the event and its storage. */
  ingestDelay: number;
}
type Stored = Seed & { id: string; createdAt: Date; ingestedAt: Date };

interface HistoryRow {
  alertId: string;
  at: Date;
  field: 'status' | 'assignee' | null;
  from: string | null;
  to: string | null;
  note?: string;
}

// 23 sources so that the ranking has a rest; counts differ and tie.
const SOURCES = Array.from({ length: 23 }, (_, i) => `src_${String.fromCharCode(97 + i)}`);
const COUNTRIES = ['US', 'DE', null, 'FR', 'DE', null, 'BR', 'US', null];
/** Windows the spec asks for; no alert is dated within 5 minutes of their start. */
const WINDOWS = [1, 6, 24, 720];

function seeds(): Seed[] {
  const list: Seed[] = [];
  for (let i = 0; i < 96; i++) {
    let minutesAgo = (i * 97) % (27 * 60); // spread over the last 27 hours
    if (WINDOWS.some((h) => Math.abs(minutesAgo - h * 60) < 5)) minutesAgo += 10;
    list.push({
      key: `a${i}`,
      source: SOURCES[(i * 7 + (i >> 3)) % SOURCES.length],
      severity: SEVERITIES[(i * 5 + (i >> 2)) % 4],
      status: STATUSES[i % 3],
      country: COUNTRIES[i % COUNTRIES.length],
      enrichmentType: i % 5 === 1 ? 'tor_exit_node' : 'clean',
      minutesAgo: minutesAgo + 0.25,
      ingestDelay: (i * 37) % 600,
    });
  }
  const edge = (key: string, minutesAgo: number, i: number): Seed => ({
    ...list[i],
    key,
    minutesAgo,
  });
  // Just inside and just outside the windows, two far outside, two dated in the future.
  list.push(edge('in-1h', 55, 1), edge('out-1h', 65, 2));
  list.push(edge('in-24h', 24 * 60 - 6, 3), edge('out-24h', 24 * 60 + 6, 4));
  list.push(edge('in-720h', 720 * 60 - 30, 5), edge('out-720h', 720 * 60 + 30, 6));
  list.push(edge('ancient', 2000 * 60, 7), edge('future', -30, 8), edge('far-future', -3000, 9));
  return list;
}

/** Count per value, sorted by count descending, then value (null last among equals). */
function ranking<K extends string | null>(values: K[]): Array<{ key: K; count: number }> {
  const counts = new Map<K, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) =>
      b.count !== a.count
        ? b.count - a.count
        : a.key === b.key
          ? 0
          : a.key === null
            ? 1
            : b.key === null
              ? -1
              : a.key < b.key
                ? -1
                : 1,
    );
}

function tally<K extends string>(keys: readonly K[], values: K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, values.filter((v) => v === k).length])) as Record<
    K,
    number
  >;
}

const floorHour = (ms: number) => Math.floor(ms / HOUR) * HOUR;

describe('Alert statistics (e2e)', () => {
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

  const dbNow = async () =>
    (await t.db.query<{ now: Date }>('SELECT now() AS now')).rows[0].now.getTime();
  const get = (query = '', token = admin.token) =>
    t.api.get(`/api/alerts/stats${query}`, { token });

  it("runs the service pool's connections with PostgreSQL's JIT compiler off", async () => {
    // JIT cost the stats ~870 ms of compiling a request at 1M alerts. The embedded PGlite has no
    // JIT: there the startup option must merely be accepted.
    const pool = createPool(t.db.options.connectionString!, 2);
    try {
      const settings = await Promise.all(
        [1, 2].map(() => pool.query<{ jit: string }>('SHOW jit').then((r) => r.rows[0].jit)),
      );
      if (!process.env.TEST_DATABASE_EMBEDDED) expect(settings).toEqual(['off', 'off']);
      else expect(settings).toHaveLength(2);
    } finally {
      await pool.end();
    }
  });

  describe('with alerts and history', () => {
    let stored: Stored[];
    let history: HistoryRow[];

    async function insertAlert(seed: Seed, now: number): Promise<Stored> {
      const createdAt = new Date(now - seed.minutesAgo * MINUTE);
      const ingestedAt = new Date(createdAt.getTime() + seed.ingestDelay * 1000);
      const { rows } = await t.db.query<{ id: string }>(
        `INSERT INTO alerts (source, external_id, fingerprint, severity, status, description,
           created_at, ingested_at, country, enrichment_type)
         VALUES ($1, $2, decode(md5($10), 'hex'), $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [
          seed.source,
          `ext-${seed.key}`,
          seed.severity,
          seed.status,
          `Alert ${seed.key}`,
          createdAt.toISOString(),
          ingestedAt.toISOString(),
          seed.country,
          seed.enrichmentType,
          seed.key,
        ],
      );
      return { ...seed, id: rows[0].id, createdAt, ingestedAt };
    }

    async function insertHistory(row: HistoryRow, actor: TestUser | null) {
      await t.db.query(
        `INSERT INTO alert_history (alert_id, actor_id, actor_username, at, field, from_value,
           to_value, resolution, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          row.alertId,
          actor?.id ?? null,
          actor?.username ?? 'upstream-import',
          row.at.toISOString(),
          row.field,
          row.from,
          row.to,
          row.field === 'status' && row.to === 'resolved' ? 'true_positive' : null,
          row.note ?? null,
        ],
      );
      if (row.field === 'status' && (row.to === 'acknowledged' || row.to === 'resolved')) {
        // As the workflow keeps it: the first time the alert reached the status.
        const column = row.to === 'acknowledged' ? 'acknowledged_at' : 'resolved_at';
        await t.db.query(`UPDATE alerts SET ${column} = LEAST(${column}, $2) WHERE id = $1`, [
          row.alertId,
          row.at.toISOString(),
        ]);
      }
      history.push(row);
    }

    /** A varied history: acknowledgements, re-opening, resolutions, assignments and notes. */
    async function arrangeHistory(alert: Stored, i: number) {
      const at = (seconds: number) => new Date(alert.ingestedAt.getTime() + seconds * 1000);
      const status = (seconds: number, from: string, to: string) =>
        insertHistory({ alertId: alert.id, at: at(seconds), field: 'status', from, to }, admin);
      if (i % 4 === 0) {
        // An assignee who happens to be called like a status is not a status change.
        await insertHistory(
          { alertId: alert.id, at: at(5), field: 'assignee', from: null, to: 'acknowledged' },
          admin,
        );
      }
      if (i % 3 === 1) await status(60 + i * 7, 'open', 'acknowledged');
      if (i % 6 === 1) {
        await status(200 + i * 7, 'acknowledged', 'open');
        await status(400 + i * 7, 'open', 'acknowledged');
      }
      if (i % 10 === 4) {
        // Written out of time order: the later acknowledgement has the smaller id.
        await status(900 + i, 'open', 'acknowledged');
        await status(30 + i, 'open', 'acknowledged');
      }
      if (i % 5 === 2) await status(1800 + i * 13, i % 2 ? 'acknowledged' : 'open', 'resolved');
      if (i % 7 === 3) {
        await insertHistory(
          { alertId: alert.id, at: at(15), field: null, from: null, to: null, note: 'resolved?' },
          null,
        );
      }
    }

    beforeAll(async () => {
      await signIn();
      stored = [];
      history = [];
      const now = await dbNow();
      const list = seeds();
      for (const [i, seed] of list.entries()) {
        const alert = await insertAlert(seed, now);
        stored.push(alert);
        await arrangeHistory(alert, i);
      }
      // Every kind of history row exists, in and out of the windows.
      expect(history.filter((h) => h.to === 'acknowledged').length).toBeGreaterThan(20);
      expect(history.filter((h) => h.to === 'resolved').length).toBeGreaterThan(10);
    });

    /** Everything the response should say about the window [from, to], from the stored rows. */
    function expected(hours: number, from: number, to: number) {
      const inWindow = stored.filter(
        (a) => a.createdAt.getTime() >= from && a.createdAt.getTime() <= to,
      );
      const sources = ranking(inWindow.map((a) => a.source));
      const countries = ranking(inWindow.map((a) => a.country));
      const other = (ranked: Array<{ count: number }>) => ({
        values: ranked.slice(TOP).length,
        count: ranked.slice(TOP).reduce((sum, c) => sum + c.count, 0),
      });
      const timeline = [];
      for (let hour = floorHour(from); hour <= to; hour += HOUR) {
        const bucket = inWindow.filter((a) => floorHour(a.createdAt.getTime()) === hour);
        timeline.push({
          hour: new Date(hour).toISOString(),
          total: bucket.length,
          ...tally(
            SEVERITIES,
            bucket.map((a) => a.severity),
          ),
        });
      }
      const responseTime = (status: 'acknowledged' | 'resolved') => {
        const seconds = inWindow.flatMap((a) => {
          const times = history
            .filter((h) => h.alertId === a.id && h.field === 'status' && h.to === status)
            .map((h) => h.at.getTime());
          return times.length ? [(Math.min(...times) - a.ingestedAt.getTime()) / 1000] : [];
        });
        return {
          count: seconds.length,
          mean: seconds.length ? seconds.reduce((s, x) => s + x, 0) / seconds.length : null,
        };
      };
      const acknowledge = responseTime('acknowledged');
      const resolve = responseTime('resolved');
      return {
        inWindow,
        body: {
          hours,
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          total: inWindow.length,
          by_severity: tally(
            SEVERITIES,
            inWindow.map((a) => a.severity),
          ),
          by_status: tally(
            STATUSES,
            inWindow.map((a) => a.status),
          ),
          by_enrichment_type: tally(
            ENRICHMENT_TYPES,
            inWindow.map((a) => a.enrichmentType),
          ),
          by_source: sources.slice(0, TOP).map(({ key, count }) => ({ source: key, count })),
          by_source_other: other(sources),
          by_country: countries.slice(0, TOP).map(({ key, count }) => ({ country: key, count })),
          by_country_other: other(countries),
          timeline,
          acknowledged_count: acknowledge.count,
          resolved_count: resolve.count,
        },
        acknowledgeMean: acknowledge.mean,
        resolveMean: resolve.mean,
      };
    }

    it.each([undefined, ...WINDOWS])('counts and times the window of hours=%s', async (hours) => {
      const before = await dbNow();
      const res = await get(hours === undefined ? '' : `?hours=${hours}`);
      const after = await dbNow();

      expect(res.status).toBe(200);
      const window = hours ?? 24;
      const to = Date.parse(res.body.to);
      // The window ends at the database clock when the request was served.
      expect(to).toBeGreaterThanOrEqual(before);
      expect(to).toBeLessThanOrEqual(after);
      const want = expected(window, to - window * HOUR, to);
      // The arrangement keeps alerts away from the window's start: the window is this set.
      expect(new Set(want.inWindow.map((a) => a.key))).toEqual(
        new Set(
          stored.filter((a) => a.minutesAgo >= 0 && a.minutesAgo < window * 60).map((a) => a.key),
        ),
      );

      const {
        mean_time_to_acknowledge_seconds: acknowledgeMean,
        mean_time_to_resolve_seconds: resolveMean,
        ...counts
      } = res.body;
      expect(counts).toEqual(want.body);
      expect(res.body.timeline).toHaveLength(window + 1);
      for (const [actual, mean] of [
        [acknowledgeMean, want.acknowledgeMean],
        [resolveMean, want.resolveMean],
      ]) {
        if (mean === null) expect(actual).toBeNull();
        else expect(actual).toBeCloseTo(mean, 3);
      }
    });

    it('answers the members in the documented order', async () => {
      const res = await get();
      expect(Object.keys(res.body)).toEqual([
        'hours',
        'from',
        'to',
        'total',
        'by_severity',
        'by_status',
        'by_enrichment_type',
        'by_source',
        'by_source_other',
        'by_country',
        'by_country_other',
        'timeline',
        'mean_time_to_acknowledge_seconds',
        'acknowledged_count',
        'mean_time_to_resolve_seconds',
        'resolved_count',
      ]);
      expect(Object.keys(res.body.timeline[0])).toEqual([
        'hour',
        'total',
        'low',
        'medium',
        'high',
        'critical',
      ]);
    });

    it('ranks more than twenty sources and counts the rest, unknown countries included', async () => {
      const { body } = await get('?hours=720');
      expect(body.by_source).toHaveLength(TOP);
      expect(body.by_source_other.values).toBeGreaterThan(0);
      expect(body.by_country.some((c: { country: string | null }) => c.country === null)).toBe(
        true,
      );
      const sum = (list: Array<{ count: number }>) => list.reduce((s, c) => s + c.count, 0);
      expect(sum(body.by_source) + body.by_source_other.count).toBe(body.total);
      expect(sum(body.by_country) + body.by_country_other.count).toBe(body.total);
    });

    it('lists the same alerts as GET /api/alerts with since=from and until=to', async () => {
      const stats = await get('?hours=6');
      const list = await t.api.get(
        `/api/alerts?limit=500&since=${stats.body.from}&until=${stats.body.to}`,
        { token: admin.token },
      );
      expect(list.status).toBe(200);
      expect(list.body.total).toBe(stats.body.total);
    });

    it('is served to analysts', async () => {
      const res = await get('', analyst.token);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(
        expected(24, Date.parse(res.body.from), Date.parse(res.body.to)).body.total,
      );
    });
  });

  describe('with no alert in the window', () => {
    beforeAll(signIn);

    it('answers zeroes for every known value, an empty timeline of hours and null means', async () => {
      const res = await get('?hours=3');

      expect(res.status).toBe(200);
      const zeroes = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, 0]));
      const to = Date.parse(res.body.to);
      expect(Date.parse(res.body.from)).toBe(to - 3 * HOUR);
      expect(res.body).toEqual({
        hours: 3,
        from: res.body.from,
        to: res.body.to,
        total: 0,
        by_severity: zeroes(SEVERITIES),
        by_status: zeroes(STATUSES),
        by_enrichment_type: zeroes(ENRICHMENT_TYPES),
        by_source: [],
        by_source_other: { values: 0, count: 0 },
        by_country: [],
        by_country_other: { values: 0, count: 0 },
        timeline: [0, 1, 2, 3].map((i) => ({
          hour: new Date(floorHour(to - 3 * HOUR) + i * HOUR).toISOString(),
          total: 0,
          ...zeroes(SEVERITIES),
        })),
        mean_time_to_acknowledge_seconds: null,
        acknowledged_count: 0,
        mean_time_to_resolve_seconds: null,
        resolved_count: 0,
      });
    });
  });

  describe('parameters and access', () => {
    beforeAll(signIn);

    it.each([
      ['hours', 'hours=0'],
      ['hours', 'hours=721'],
      ['hours', 'hours=abc'],
      ['hours', 'hours=1.5'],
      ['hours', 'hours=-1'],
      ['hours', 'hours=24&hours=48'],
      ['hour', 'hour=24'],
      ['limit', 'limit=10'],
    ])('answers 400 naming %s for ?%s', async (field, query) => {
      const res = await get(`?${query}`);
      expectProblem(res, 400);
      expect(problemFields(res)).toEqual([field]);
    });

    it('refuses anonymous callers (401) and bad tokens (401)', async () => {
      const anonymous = await t.api.get('/api/alerts/stats');
      expectProblem(anonymous, 401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expectProblem(await get('', 'not.a.token'), 401);
    });

    it('is not taken for an alert id by GET /api/alerts/{id}', async () => {
      const res = await get();
      expect(res.status).toBe(200);
      expect(res.body).toHaveProperty('timeline');
    });

    it('documents the query, the response and the vocabularies in the OpenAPI document', async () => {
      const document = (await t.api.get('/docs-json')).body;
      const operation = document.paths['/api/alerts/stats'].get;
      expect(operation.parameters).toEqual([
        expect.objectContaining({
          name: 'hours',
          in: 'query',
          required: false,
          schema: expect.objectContaining({ minimum: 1, maximum: 720, default: 24 }),
        }),
      ]);
      expect(operation.description).toMatch(/ingested_at/);
      expect(operation.responses['200'].content['application/json'].schema).toEqual({
        $ref: '#/components/schemas/AlertStatsDto',
      });
      expect(Object.keys(operation.responses)).toEqual(
        expect.arrayContaining(['200', '400', '401']),
      );
      const schemas = document.components.schemas;
      expect(Object.keys(schemas.SeverityCountsDto.properties)).toEqual([...SEVERITIES]);
      expect(Object.keys(schemas.StatusCountsDto.properties)).toEqual([...STATUSES]);
      expect(Object.keys(schemas.EnrichmentTypeCountsDto.properties)).toEqual([
        ...ENRICHMENT_TYPES,
      ]);
      // OpenAPI 3.1: nullable is a type list.
      expect(schemas.AlertStatsDto.properties.mean_time_to_acknowledge_seconds.type).toContain(
        'null',
      );
    });
  });
});
