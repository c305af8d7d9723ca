// The SQL of GET /api/alerts/stats and the shaping of its one result row. Pure (no database), so
// the shaping is unit-tested; the alert store runs the statement (test/alert-stats.e2e-spec.ts).
import type { SqlQuery } from '../common/pagination/sql-conditions.js';
import { SEVERITIES, type Severity } from '../common/severity.js';
import { ENRICHMENT_TYPES, type EnrichmentType } from '../enrichment/enrichment.types.js';
import { ALERT_STATUSES, type AlertStatus } from './alert.types.js';

/** How many sources and countries are listed by name; the rest are summed up. */
export const STATS_TOP = 20;

/** One value of an open-ended dimension and its alerts. */
export interface RankedCount<K> {
  key: K;
  count: number;
}

/** The largest values of a dimension, and what they leave out. */
export interface Ranking<K> {
  /** At most STATS_TOP, by count descending, then key ascending (null last). */
  top: RankedCount<K>[];
  /** The values beyond the top: how many distinct ones, and their alerts. */
  other: { values: number; count: number };
}

export type HourBucket = { hour: Date; total: number } & Record<Severity, number>;

export interface ResponseTime {
  /** Alerts of the window that reached the status at least once. */
  alerts: number;
  /** Mean seconds from ingestion to the first time; null when `alerts` is 0. */
  meanSeconds: number | null;
}

export interface AlertStats {
  hours: number;
  from: Date;
  to: Date;
  total: number;
  bySeverity: Record<Severity, number>;
  byStatus: Record<AlertStatus, number>;
  byEnrichmentType: Record<EnrichmentType, number>;
  bySource: Ranking<string>;
  /** null: the country is unknown (private addresses, no geolocation). */
  byCountry: Ranking<string | null>;
  /** Every UTC clock hour the window touches, oldest first. */
  timeline: HourBucket[];
  timeToAcknowledge: ResponseTime;
  timeToResolve: ResponseTime;
}

type Dimension = 'total' | 'severity' | 'status' | 'source' | 'country' | 'enrichment_type';

/** The one row the statement answers (counts and timeline arrive as json). */
export interface AlertStatsRow {
  from_at: Date;
  to_at: Date;
  counts: Array<{ dimension: Dimension; key: string | null; count: number }> | null;
  timeline: Array<{ hour: string; total: number } & Record<Severity, number>> | null;
  acknowledged_count: number;
  mean_time_to_acknowledge_seconds: number | null;
  resolved_count: number;
  mean_time_to_resolve_seconds: number | null;
}

// Hour buckets are UTC clock hours whatever the session's time zone. date_bin is plain
// arithmetic; date_trunc('hour', t, 'UTC') costs a time zone conversion per row.
const hourOf = (column: string) =>
  `date_bin(INTERVAL '1 hour', ${column}, TIMESTAMPTZ '2000-01-01T00:00:00Z')`;

const severityColumns = SEVERITIES.map(
  (severity) =>
    `COALESCE(sum(c.n) FILTER (WHERE c.dimension = 'severity' AND c.key = '${severity}'), 0)::int AS ${severity}`,
).join(',\n      ');

/**
 * An alert of `a` as the rows it adds to the hourly rollup (alert_hourly): one per dimension,
 * and its first acknowledgement and resolution (count and milliseconds from ingestion) — the
 * rollup migration's rows, so whole hours and partial ones add up alike.
 */
const ROLLUP_ROWS = `(VALUES
    ('severity', a.severity, 1, 0::bigint),
    ('status', a.status, 1, 0),
    ('source', a.source, 1, 0),
    ('country', COALESCE(a.country, ''), 1, 0),
    ('enrichment_type', a.enrichment_type, 1, 0),
    ('acknowledged', '', (a.acknowledged_at IS NOT NULL)::int,
      COALESCE(round(extract(epoch FROM a.acknowledged_at - a.ingested_at) * 1000)::bigint, 0)),
    ('resolved', '', (a.resolved_at IS NOT NULL)::int,
      COALESCE(round(extract(epoch FROM a.resolved_at - a.ingested_at) * 1000)::bigint, 0))
  ) AS v (dimension, key, n, ms)`;

/**
 * One statement, so every part sees the same window (now() is the statement's clock) and the same
 * snapshot: the timeline adds up to the total.
 *
 * - The window is [now - $1 hours, now], on created_at. The whole UTC hours inside it are read
 *   from the hourly rollup (a few dozen rows an hour, however many alerts); only the two partial
 *   hours at its ends are read from `alerts` (an index range of under an hour each) and turned
 *   into the same rows. A month's stats cost the same at 100k alerts as at 10M.
 * - `rows` is that union, (hour, dimension, key, n, ms); every count is a sum over it.
 * - `timeline` zero-fills the hours with generate_series and turns severities into columns.
 * - MTTA / MTTR: the first acknowledgement and resolution of each alert, kept on the alert by the
 *   workflow (acknowledged_at, resolved_at) and summed per hour in the rollup.
 */
export function alertStatsQuery(hours: number): SqlQuery {
  const sql = `WITH win AS MATERIALIZED (
  SELECT w.from_at, w.to_at,
    ${hourOf("w.from_at - INTERVAL '1 microsecond'")} + INTERVAL '1 hour' AS whole_from,
    ${hourOf('w.to_at')} AS whole_to
  FROM (
    SELECT date_trunc('milliseconds', now()) - make_interval(hours => $1::int) AS from_at,
      date_trunc('milliseconds', now()) AS to_at
  ) w
),
edges AS (
  SELECT a.severity, a.status, a.source, a.country, a.enrichment_type, a.created_at, a.ingested_at,
    a.acknowledged_at, a.resolved_at
  FROM win CROSS JOIN alerts a
  WHERE a.created_at >= win.from_at AND a.created_at < win.whole_from
  UNION ALL
  SELECT a.severity, a.status, a.source, a.country, a.enrichment_type, a.created_at, a.ingested_at,
    a.acknowledged_at, a.resolved_at
  FROM win CROSS JOIN alerts a
  WHERE a.created_at >= win.whole_to AND a.created_at <= win.to_at
),
rows AS (
  SELECT h.hour, h.dimension, h.key, h.n, h.ms
  FROM win CROSS JOIN alert_hourly h
  WHERE h.hour >= win.whole_from AND h.hour < win.whole_to
  UNION ALL
  SELECT ${hourOf('a.created_at')}, v.dimension, v.key, v.n, v.ms
  FROM edges a CROSS JOIN LATERAL ${ROLLUP_ROWS}
),
counts AS (
  SELECT r.dimension, NULLIF(r.key, '') AS key, sum(r.n)::int AS count, sum(r.ms)::float8 AS ms
  FROM rows r GROUP BY r.dimension, r.key HAVING sum(r.n) <> 0
),
timeline AS (
  SELECT hr.hour,
      COALESCE(sum(c.n) FILTER (WHERE c.dimension = 'severity'), 0)::int AS total,
      ${severityColumns}
  FROM win
  CROSS JOIN generate_series(${hourOf('win.from_at')}, win.to_at, INTERVAL '1 hour') AS hr (hour)
  LEFT JOIN rows c ON c.hour = hr.hour AND c.dimension = 'severity'
  GROUP BY hr.hour
)
SELECT win.from_at, win.to_at,
  (SELECT json_agg(json_build_object('dimension', c.dimension, 'key', c.key, 'count', c.count))
    FROM (
      SELECT dimension, key, count FROM counts
      WHERE dimension NOT IN ('acknowledged', 'resolved')
      UNION ALL
      SELECT 'total', NULL, COALESCE(sum(count), 0)::int FROM counts WHERE dimension = 'severity'
    ) c) AS counts,
  (SELECT json_agg(t ORDER BY t.hour) FROM timeline t) AS timeline,
  COALESCE((SELECT count FROM counts WHERE dimension = 'acknowledged'), 0) AS acknowledged_count,
  (SELECT ms / count / 1000 FROM counts WHERE dimension = 'acknowledged')
    AS mean_time_to_acknowledge_seconds,
  COALESCE((SELECT count FROM counts WHERE dimension = 'resolved'), 0) AS resolved_count,
  (SELECT ms / count / 1000 FROM counts WHERE dimension = 'resolved')
    AS mean_time_to_resolve_seconds
FROM win`;
  return { sql, params: [hours] };
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

/** Count descending, then key ascending by code point, null (unknown) last among equals. */
function byCountThenKey<K extends string | null>(a: RankedCount<K>, b: RankedCount<K>): number {
  if (a.count !== b.count) return b.count - a.count;
  if (a.key === b.key) return 0;
  if (a.key === null) return 1;
  if (b.key === null) return -1;
  return a.key < b.key ? -1 : 1;
}

export function rank<K extends string | null>(
  counts: RankedCount<K>[],
  top = STATS_TOP,
): Ranking<K> {
  const sorted = [...counts].sort(byCountThenKey);
  const rest = sorted.slice(top);
  return {
    top: sorted.slice(0, top),
    other: { values: rest.length, count: rest.reduce((sum, c) => sum + c.count, 0) },
  };
}

/** The row as the service speaks of it: every known key present, open-ended ones ranked. */
export function alertStatsFromRow(hours: number, row: AlertStatsRow): AlertStats {
  const counts = row.counts ?? [];
  const of = (dimension: Dimension) => counts.filter((c) => c.dimension === dimension);
  const tally = <K extends string>(dimension: Dimension, keys: readonly K[]) => {
    const result = zeroes(keys);
    for (const c of of(dimension)) result[c.key as K] = c.count;
    return result;
  };
  return {
    hours,
    from: row.from_at,
    to: row.to_at,
    total: of('total')[0]?.count ?? 0,
    bySeverity: tally('severity', SEVERITIES),
    byStatus: tally('status', ALERT_STATUSES),
    byEnrichmentType: tally('enrichment_type', ENRICHMENT_TYPES),
    bySource: rank(of('source').map(({ key, count }) => ({ key: key as string, count }))),
    byCountry: rank(of('country').map(({ key, count }) => ({ key, count }))),
    timeline: (row.timeline ?? []).map((bucket) => ({ ...bucket, hour: new Date(bucket.hour) })),
    timeToAcknowledge: {
      alerts: row.acknowledged_count,
      meanSeconds: row.mean_time_to_acknowledge_seconds,
    },
    timeToResolve: { alerts: row.resolved_count, meanSeconds: row.mean_time_to_resolve_seconds },
  };
}
