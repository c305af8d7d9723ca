// Fills the alerts table of a migrated bench database with N alerts in SQL (INSERT … SELECT
// generate_series), shaped like what ingestion stores: 4 severities (40/30/20/10 %), 3 statuses
// (resolved ones with a resolution, worked ones with an assignee), the ten upstream sources,
// twelve destination countries (some unknown), ~3 % Tor exits, half with a user, created_at in
// ingest order over the last 30 days, an `enrichment` jsonb of ~550 bytes with the members the
// geo, tor and context plugins write, unique dedup keys, and the first acknowledgement (all
// acknowledged alerts, half the resolved ones) and resolution times the workflow keeps.
//
// Fast because the secondary indexes are dropped for the insert and rebuilt afterwards from their
// own definitions (read from pg_indexes, so the migrations stay the only place that declares
// them), and both the insert and the rebuilds are split over two connections.
import pg from 'pg';

const CONNECTIONS = 2;

// $1, $2: the range of i; $3: N; $4: assignee ids; $5: the instant the 30 days end at.
const INSERT = `
WITH places(n, prefix, country, region, city, lat, lon, tz) AS (VALUES
  (0, '185.220.101.', 'DE', 'Land Berlin', 'Berlin', 52.5244, 13.4105, 'Europe/Berlin'),
  (1, '8.8.8.', 'US', 'California', 'Mountain View', 37.4056, -122.0775, 'America/Los_Angeles'),
  (2, '1.1.1.', 'AU', 'New South Wales', 'Sydney', -33.8688, 151.2093, 'Australia/Sydney'),
  (3, '81.2.69.', 'GB', 'England', 'London', 51.5142, -0.0931, 'Europe/London'),
  (4, '91.198.174.', 'NL', 'North Holland', 'Amsterdam', 52.3740, 4.8897, 'Europe/Amsterdam'),
  (5, '103.21.244.', 'SG', 'Central Singapore', 'Singapore', 1.2897, 103.8501, 'Asia/Singapore'),
  (6, '177.71.128.', 'BR', 'São Paulo', 'São Paulo', -23.5475, -46.6361, 'America/Sao_Paulo'),
  (7, '5.255.255.', 'RU', 'Moscow', 'Moscow', 55.7522, 37.6156, 'Europe/Moscow'),
  (8, '202.12.27.', 'JP', 'Tokyo', 'Tokyo', 35.6895, 139.6917, 'Asia/Tokyo'),
  (9, '41.203.64.', 'NG', 'Lagos', 'Lagos', 6.4541, 3.3947, 'Africa/Lagos'),
  (10, '62.210.16.', 'FR', 'Île-de-France', 'Paris', 48.8534, 2.3488, 'Europe/Paris'),
  (11, '123.125.114.', 'CN', 'Beijing', 'Beijing', 39.9075, 116.3972, 'Asia/Shanghai')
), g AS (
  SELECT i, random() AS r_sev, random() AS r_status, random() AS r_tor, random() AS r_user,
         random() AS r_geo, random() AS r_jitter, floor(random() * 12)::int AS place
  FROM generate_series($1::int, $2::int) i
), picked AS (
  SELECT g.*, p.region, p.city, p.lat, p.lon, p.tz,
    (ARRAY['firewall','ngfw','ips','vpn_gateway','router_acl',
           'waf','swg','nac','api_gateway','load_balancer'])[1 + i % 10] AS src,
    $5::timestamptz - interval '30 days' + (i::float8 / $3) * interval '30 days'
      + r_jitter * interval '2 seconds' AS at,
    '10.' || (i % 4) || '.' || (i / 7) % 256 || '.' || (i * 13) % 254 + 1 AS src_addr,
    CASE WHEN r_tor < 0.03 THEN '185.220.101.' ELSE p.prefix END || (i % 250 + 1) AS dst_addr,
    CASE WHEN r_tor < 0.03 THEN 'DE' WHEN r_geo < 0.08 THEN NULL ELSE p.country END AS cc,
    CASE WHEN r_user < 0.5 THEN 'user' || (i % 200) END AS usr,
    CASE WHEN r_status < 0.7 THEN 'open' WHEN r_status < 0.85 THEN 'acknowledged'
         ELSE 'resolved' END AS st
  FROM g JOIN places p ON p.n = g.place
)
INSERT INTO alerts (source, external_id, fingerprint, severity, status, description, created_at,
  ingested_at, updated_at, src_ip, dst_ip, country, user_name, enrichment_type, enrichment,
  assignee_id, resolution, acknowledged_at, resolved_at)
SELECT src,
  CASE WHEN i % 10 <> 9 THEN 'up-' || i END,
  sha256(convert_to('vigil-bench-' || i, 'UTF8')),
  CASE WHEN r_sev < 0.4 THEN 'low' WHEN r_sev < 0.7 THEN 'medium' WHEN r_sev < 0.9 THEN 'high'
       ELSE 'critical' END,
  st,
  (ARRAY['Port scan detected from', 'Brute-force login attempts against',
         'Outbound connection to known C2 host from', 'Malware signature matched on traffic from',
         'Policy violation: blocked application from', 'Suspicious DNS tunnelling pattern from',
         'SQL injection attempt blocked, client'])[1 + i % 7]
    || ' ' || src_addr || ' to ' || dst_addr || ' (rule ' || (1000 + i % 977) || ')',
  at, at + interval '3 seconds',
  at + CASE WHEN st = 'open' THEN interval '3 seconds' ELSE interval '2 hours' END,
  src_addr::inet, dst_addr::inet, cc, usr,
  CASE WHEN r_tor < 0.03 THEN 'tor_exit_node' ELSE 'clean' END,
  jsonb_build_object(
    'geo', jsonb_build_object(
      'src', jsonb_build_object('ip', src_addr, 'scope', 'private'),
      'dst', jsonb_build_object('ip', dst_addr, 'scope', 'public', 'country_code', cc,
        'region', CASE WHEN cc IS NOT NULL THEN region END,
        'city', CASE WHEN cc IS NOT NULL THEN city END,
        'latitude', CASE WHEN cc IS NOT NULL THEN lat END,
        'longitude', CASE WHEN cc IS NOT NULL THEN lon END,
        'timezone', CASE WHEN cc IS NOT NULL THEN tz END),
      'database', 'DB-IP City Lite 2026-06-05'),
    'tor', jsonb_build_object('src_listed', false, 'dst_listed', r_tor < 0.03,
      'list_updated_at', '2026-06-05T00:00:00.000Z'),
    'context', jsonb_build_object('user', usr,
      'user_network', CASE WHEN usr IS NOT NULL THEN '10.' || (i % 4) || '.0.0/16' END,
      'matched_on', CASE WHEN usr IS NOT NULL THEN 'src_ip' END,
      'asset', jsonb_build_object('owner_team', 'secops-' || (i % 10), 'criticality', 'high')),
    'errors', '[]'::jsonb),
  CASE WHEN st <> 'open' THEN ($4::uuid[])[1 + i % cardinality($4::uuid[])] END,
  CASE WHEN st = 'resolved'
       THEN (ARRAY['true_positive','false_positive','benign','duplicate'])[1 + i % 4] END,
  CASE WHEN st = 'acknowledged' OR (st = 'resolved' AND i % 2 = 0)
       THEN at + interval '3 seconds' + r_jitter * interval '40 minutes' END,
  CASE WHEN st = 'resolved' THEN at + interval '2 hours' END
FROM picked`;

export interface LoadedAlerts {
  count: number;
  ms: { insert: number; indexes: number; vacuum: number; total: number };
  bySeverity: Record<string, number>;
  tableMb: number;
  enrichmentBytes: number;
}

/** Loads `count` alerts; `assignees` are user ids that worked alerts get assigned to. */
export async function loadAlerts(
  url: string,
  count: number,
  assignees: string[],
): Promise<LoadedAlerts> {
  const pool = new pg.Pool({ connectionString: url, max: CONNECTIONS });
  const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => pool.connect()));
  const started = performance.now();
  try {
    for (const [n, client] of clients.entries()) {
      await client.query(`SET synchronous_commit = off; SET maintenance_work_mem = '256MB'`);
      await client.query('SELECT setseed($1)', [0.1 + n / 10]);
    }
    // The primary key stays: alert_history's foreign key depends on it.
    const { rows: indexes } = await clients[0].query<{ name: string; definition: string }>(
      `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
       WHERE schemaname = 'public' AND tablename = 'alerts' AND indexname <> 'alerts_pkey'`,
    );
    for (const { name } of indexes) await clients[0].query(`DROP INDEX "${name}"`);

    const end = new Date();
    const per = Math.ceil(count / CONNECTIONS);
    await Promise.all(
      clients.map((client, n) =>
        client.query(INSERT, [n * per + 1, Math.min(count, (n + 1) * per), count, assignees, end]),
      ),
    );
    const inserted = performance.now();

    const queue = [...indexes];
    await Promise.all(
      clients.map(async (client) => {
        for (let next = queue.shift(); next; next = queue.shift())
          await client.query(next.definition);
      }),
    );
    const indexed = performance.now();
    // Sets the visibility map too, as autovacuum would have long done on a live table: without it
    // the capped count reads the heap instead of the index only, and autovacuum would start
    // mid-benchmark.
    await clients[0].query('VACUUM (ANALYZE)');
    const done = performance.now();

    const { rows: severities } = await clients[0].query<{ severity: string; n: number }>(
      'SELECT severity, count(*)::int AS n FROM alerts GROUP BY severity ORDER BY severity',
    );
    const { rows: sizes } = await clients[0].query<{ mb: number; bytes: number }>(
      `SELECT pg_total_relation_size('alerts') / 1048576 AS mb,
              (SELECT avg(length(enrichment::text))::int FROM alerts TABLESAMPLE SYSTEM (1)) AS bytes`,
    );
    return {
      count,
      ms: {
        insert: inserted - started,
        indexes: indexed - inserted,
        vacuum: done - indexed,
        total: done - started,
      },
      bySeverity: Object.fromEntries(severities.map((r) => [r.severity, r.n])),
      tableMb: Number(sizes[0].mb),
      enrichmentBytes: sizes[0].bytes,
    };
  } finally {
    for (const client of clients) client.release();
    await pool.end();
  }
}
