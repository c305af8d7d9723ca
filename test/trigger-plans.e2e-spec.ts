// The statement triggers on `alerts` and `incidents` (rollups, live feed, webhook outbox,
// grouping) run SQL that PL/pgSQL plans once per connection and then keeps: a transition table is
// not a parameter, so the plan made for the connection's first statement (often one row: a
// PATCH, an event) serves every later one. A join of two of a statement's own row sets planned
// for one row is a nested loop, quadratic for a bulk change of thousands (67 s for 8,000 alerts,
// measured before migration …400). Here, on one connection that first changes one row, a
// statement eight times larger must cost about eight times as much, not sixty-four, and every
// trigger's output is checked exactly. No service is started: the SQL runs as any writer's would.
import fc from 'fast-check';
import pg from 'pg';
import { runMigrations } from '../src/database/data-source.js';
import { resetDatabase, testDatabaseUrl } from './support/test-app.js';

const SMALL = 500;
const LARGE = 8 * SMALL;

/** Linear (8×) passes with room for noise; quadratic (64×) does not. */
const linear = (small: number, large: number) => expect(large).toBeLessThan(16 * small + 250);

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/** `n` alerts from `first`, source address 10.x.y.z by index, all at `at`; their ids in order. */
async function insertAlerts(
  db: pg.ClientBase | pg.Pool,
  first: number,
  n: number,
  at: string,
  prefix = 'a',
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO alerts (source, external_id, severity, description, created_at, src_ip)
     SELECT 'plans', $4 || i, (ARRAY['low', 'medium', 'high', 'critical'])[1 + i % 4],
            'alert ' || i, $3::timestamptz,
            ('10.0.0.0'::inet + i)
     FROM generate_series($1::int, $1::int + $2::int - 1) i
     RETURNING id`,
    [first, n, at, prefix],
  );
  return rows.map((r) => r.id);
}

describe('Statement triggers: a statement costs what its size costs, whatever the connection ran before', () => {
  let pool: pg.Pool;
  let client: pg.Client;

  beforeAll(async () => {
    await runMigrations(testDatabaseUrl());
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 2 });
  });
  afterAll(() => pool.end());
  beforeEach(async () => {
    await resetDatabase();
    // A connection of its own, new for each test: the plans it caches are the test's.
    client = new pg.Client({ connectionString: testDatabaseUrl() });
    await client.connect();
  });
  afterEach(() => client.end());

  it('a bulk status change after a one-alert change: linear, with exact rollups, live event and webhook deliveries', async () => {
    const ids = await insertAlerts(pool, 0, 1 + SMALL + LARGE, '2026-12-01T10:00:00Z');
    await pool.query(
      `INSERT INTO webhook_subscriptions (url, events, secret)
       VALUES ('http://127.0.0.1:9/hook', ARRAY['alert.changed'], 'whsec_test')`,
    );
    const acknowledge = (some: string[]) =>
      client.query(
        `UPDATE alerts SET status = 'acknowledged', acknowledged_at = now()
         WHERE id = ANY ($1::uuid[])`,
        [some],
      );

    await acknowledge(ids.slice(0, 1));
    const small = await timed(() => acknowledge(ids.slice(1, 1 + SMALL)));
    await pool.query(`DELETE FROM live_events`);
    await pool.query(`DELETE FROM webhook_deliveries`);
    const changed = ids.slice(1 + SMALL);
    const large = await timed(() => acknowledge(changed));
    linear(small, large);

    const { rows: events } = await pool.query<{ type: string; ids: string[] }>(
      `SELECT type, ids::text[] AS ids FROM live_events`,
    );
    expect(events).toEqual([{ type: 'alert.changed', ids: [...changed].sort() }]);
    const { rows: deliveries } = await pool.query<{ alert_ids: string[] }>(
      `SELECT alert_ids::text[] AS alert_ids FROM webhook_deliveries WHERE type = 'alert.changed'`,
    );
    expect(deliveries).toHaveLength(LARGE / 100);
    expect(deliveries.flatMap((d) => d.alert_ids).sort()).toEqual([...changed].sort());
    await expectRollupsExact();

    // A statement that changes nothing a reader sees: no event, no delivery, rollups as they were.
    await client.query(`UPDATE alerts SET status = status, description = description || '.'`);
    expect((await pool.query(`SELECT count(*)::int AS n FROM live_events`)).rows[0].n).toBe(1);
    expect((await pool.query(`SELECT count(*)::int AS n FROM webhook_deliveries`)).rows[0].n).toBe(
      LARGE / 100,
    );
    await expectRollupsExact();
  }, 120_000);

  it('a page grouped into existing incidents after a one-alert page: linear, every alert in its incident', async () => {
    await pool.query(
      `INSERT INTO correlation_rules (name, keys, window_seconds, position)
       VALUES ('Same source address', ARRAY['src_ip'], 3600, 1)`,
    );
    // One incident per address 0 … SMALL + LARGE - 1, made on another connection.
    await insertAlerts(pool, 0, SMALL + LARGE, '2026-12-01T10:00:00Z', 'first-');

    await insertAlerts(client, 1_000_000, 1, '2026-12-01T10:00:00Z', 'lone-');
    const small = await timed(() =>
      insertAlerts(client, 0, SMALL, '2026-12-01T10:05:00Z', 'second-'),
    );
    const large = await timed(() =>
      insertAlerts(client, SMALL, LARGE, '2026-12-01T10:05:00Z', 'second-'),
    );
    linear(small, large);

    const { rows } = await pool.query<{ incidents: number; pairs: number; wrong: number }>(
      `SELECT (SELECT count(*)::int FROM incidents) AS incidents,
              (SELECT count(*)::int FROM incidents WHERE alert_count = 2) AS pairs,
              (SELECT count(*)::int FROM alerts a
                 LEFT JOIN incident_alerts ia ON ia.alert_id = a.id
                 LEFT JOIN incidents i ON i.id = ia.incident_id
               WHERE i.group_key IS DISTINCT FROM
                     jsonb_build_object('src_ip', host(a.src_ip))::text) AS wrong`,
    );
    expect(rows[0]).toEqual({ incidents: SMALL + LARGE + 1, pairs: SMALL + LARGE, wrong: 0 });
  }, 120_000);

  it("an incident's key is the canonical JSON of its fields, whatever characters they hold", async () => {
    await pool.query(
      `INSERT INTO correlation_rules (name, keys, window_seconds, position)
       VALUES ('Everything', ARRAY['src_ip', 'dst_ip', 'user', 'source'], 3600, 1)`,
    );
    // Text PostgreSQL can store (no NUL), of any other character: quotes, backslashes, controls.
    const text = (max: number) =>
      fc.string({ unit: 'binary', minLength: 1, maxLength: max }).filter((t) => !t.includes('\0'));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ user: text(40), source: text(20) }), { minLength: 1, maxLength: 20 }),
        async (alerts) => {
          await pool.query(
            `INSERT INTO alerts (source, external_id, severity, description, created_at, src_ip,
                                 dst_ip, user_name)
             SELECT a.source, gen_random_uuid()::text, 'high', 'key', now(), '192.0.2.1',
                    '2001:db8::1', a.user_name
             FROM unnest($1::text[], $2::text[]) a (source, user_name)`,
            [alerts.map((a) => a.source), alerts.map((a) => a.user)],
          );
          const { rows } = await pool.query(
            `SELECT count(*)::int AS wrong FROM alerts a
               JOIN incident_alerts ia ON ia.alert_id = a.id
               JOIN incidents i ON i.id = ia.incident_id
             WHERE i.group_key <> jsonb_build_object('src_ip', host(a.src_ip),
                     'dst_ip', host(a.dst_ip), 'user', a.user_name, 'source', a.source)::text`,
          );
          expect(rows[0].wrong).toBe(0);
          const grouped = await pool.query(`SELECT count(*)::int AS n FROM incident_alerts`);
          const stored = await pool.query(`SELECT count(*)::int AS n FROM alerts`);
          expect(grouped.rows[0].n).toBe(stored.rows[0].n);
        },
      ),
      { numRuns: 25 },
    );
  });

  /** The rollups equal a count of the alerts themselves. */
  async function expectRollupsExact(): Promise<void> {
    const { rows } = await pool.query(
      `SELECT (SELECT json_object_agg(status, n ORDER BY status) FROM (
                 SELECT status, sum(n)::int AS n FROM alert_totals
                 GROUP BY status HAVING sum(n) <> 0) t) AS totals,
              (SELECT json_object_agg(status, n ORDER BY status) FROM (
                 SELECT status, count(*)::int AS n FROM alerts GROUP BY status) a) AS counted,
              (SELECT sum(n)::int FROM alert_hourly WHERE dimension = 'acknowledged') AS acknowledged,
              (SELECT count(*)::int FROM alerts WHERE acknowledged_at IS NOT NULL) AS stamped`,
    );
    expect(rows[0].totals).toEqual(rows[0].counted);
    expect(rows[0].acknowledged).toBe(rows[0].stamped);
  }
});
